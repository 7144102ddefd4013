import { formatThreshold, goFormat4g, humanize, humanize1024, humanizeDuration, humanizePercentage, parsePromQL, assertValidPromQL } from "../../alerts";

describe("Go template number formatting (checked against promtool by the unit tests)", () => {
  test.each([
    [1.5, "1.5"],
    [100, "100"],
    [12346, "1.235e+04"],
    [0.000012345, "1.234e-05"],
    [0.1, "0.1"],
    [0, "0"],
  ])("%%.4g of %p is %p", (v, text) => {
    expect(goFormat4g(v)).toBe(text);
  });

  test("humanize functions", () => {
    expect(humanizePercentage(0.05)).toBe("5%");
    expect(humanizePercentage(0.123456)).toBe("12.35%");
    expect(humanizeDuration(0.5)).toBe("500ms");
    expect(humanizeDuration(1.5)).toBe("1.5s");
    expect(humanizeDuration(90)).toBe("1m 30s");
    expect(humanizeDuration(90061)).toBe("1d 1h 1m 1s");
    expect(humanize1024(8 * 1024 * 1024)).toBe("8Mi");
    expect(humanize(1500)).toBe("1.5k");
    expect(humanize(0.02)).toBe("20m");
  });

  test("thresholds in words", () => {
    expect(formatThreshold({ value: 0.5, unit: "seconds" })).toBe("500ms");
    expect(formatThreshold({ value: 86400, unit: "seconds" })).toBe("1d");
    expect(formatThreshold({ value: 0.05, unit: "ratio" })).toBe("5%");
    expect(formatThreshold({ value: 0.1, unit: "errorsPerSecond" })).toBe("0.10 errors/s");
    expect(formatThreshold({ value: 1048576, unit: "bytesPerSecond" })).toBe("1MiB/s");
  });
});

describe("PromQL parsing", () => {
  test("valid expressions", () => {
    expect(parsePromQL('histogram_quantile(0.95, sum by (job, le) (rate(x_bucket{job="a"}[5m])))').valid).toBe(true);
  });

  test("errors carry positions", () => {
    const result = parsePromQL("rate(x[5m]) >");
    expect(result.valid).toBe(false);
    expect(result.errors[0].position).toBe(13);
    expect(parsePromQL("  ").errors[0].position).toBe(0);
  });

  test("assertValidPromQL names where and position", () => {
    expect(() => assertValidPromQL("sum(x", 'dashboard "d", panel "p"')).toThrow(/^dashboard "d", panel "p": invalid PromQL at position 5: /);
    expect(() => assertValidPromQL("sum(x)", "w")).not.toThrow();
  });
});
