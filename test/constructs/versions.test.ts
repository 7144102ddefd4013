import { imageName } from "../../constructs/versions";

describe("imageName", () => {
  test("a repository may carry a registry host and port, or a digest instead of a tag", () => {
    expect(imageName({ repository: "registry.local:5000/prom/prometheus", tag: "v3.16.0" })).toBe("registry.local:5000/prom/prometheus:v3.16.0");
    expect(imageName({ repository: "ghcr.io/google/cadvisor", tag: "v0.60.6" })).toBe("ghcr.io/google/cadvisor:v0.60.6");
    expect(imageName({ repository: "prom/prometheus", tag: "sha256:abc" })).toBe("prom/prometheus@sha256:abc");
  });

  test("a malformed repository or a moving tag is refused, naming the field", () => {
    expect(() => imageName({ repository: "Prom/Prometheus", tag: "v1" }, "prometheus.image")).toThrow(/prometheus\.image\.repository: "Prom\/Prometheus" is not a valid image repository/);
    expect(() => imageName({ repository: "registry.local:port/prom", tag: "v1" }, "x.image")).toThrow(/x\.image\.repository/);
    expect(() => imageName({ repository: "prom/prometheus", tag: "latest" }, "x.image")).toThrow(/x\.image\.tag: "latest" is a moving tag/);
  });
});
