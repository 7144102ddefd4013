import { dockerCpus } from "../../constructs/service";

describe("dockerCpus", () => {
  // The provider reads `cpus` back from the engine's NanoCPUs (internal/provider/helpers.go,
  // nanoInt64ToDecimalString) and `cpus` forces replacement: the stack must write that exact form.
  test.each([
    [1, "1.0"],
    [2, "2.0"],
    [0.5, "0.5"],
    [0.25, "0.25"],
    [1.5, "1.5"],
    [0.125, "0.125"],
  ])("%p CPUs are written as %p", (cpus, text) => {
    expect(dockerCpus(cpus)).toBe(text);
  });
});
