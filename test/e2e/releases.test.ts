import { nearestRelease, parseRelease, releaseDistance } from "../../e2e/releases";
import { catalogNamesAbsent, otlpSpan } from "../../e2e/dependencies";
import { counter, histogram } from "../../alerts/catalog/types";

describe("nearest release of a pin that cannot be built", () => {
  test("release numbers parse with or without a leading v", () => {
    expect(parseRelease("v0.20.1")).toEqual([0, 20, 1]);
    expect(parseRelease("2.21.0")).toEqual([2, 21, 0]);
    expect(parseRelease("1.45")).toEqual([1, 45, 0]);
    expect(() => parseRelease("latest")).toThrow(/"latest" is not a release number/);
  });

  test("distance orders by major, then minor, then patch", () => {
    expect(releaseDistance("2.21.0", "2.12.0")).toEqual([0, 9, 0]);
    expect(releaseDistance("v0.20.1", "0.17.1")).toEqual([0, 3, 0]);
  });

  test("the nearest candidate that is not refused is chosen; the pin's refusal is the reason", () => {
    // GIVEN Jaeger's candidates: the pin and 2.13 refused, 2.12 buildable.
    const choice = nearestRelease("2.21.0", [
      { release: "2.21.0", refused: "not served" },
      { release: "2.13.0", refused: "not approved" },
      { release: "2.12.0", source: "go" },
      { release: "2.5.0", source: "older" },
    ]);
    // THEN 2.12.0, because the pin is not served.
    expect(choice).toEqual({ chosen: { release: "2.12.0", source: "go" }, pinRefused: "not served" });
  });

  test("a newer release may be nearer than an older one; on equal distance the newer wins", () => {
    expect(nearestRelease("v0.20.1", [{ release: "0.20.1", refused: "zip refused" }, { release: "0.17.1", source: "a" }, { release: "0.21.0", source: "b" }])?.chosen.release).toBe("0.21.0");
    expect(nearestRelease("1.10.0", [{ release: "1.9.0", source: "older" }, { release: "1.11.0", source: "newer" }])?.chosen.release).toBe("1.11.0");
    // Another major is further than any minor of the pin's major.
    expect(nearestRelease("2.21.0", [{ release: "3.0.0", source: "x" }, { release: "2.0.0", source: "y" }])?.chosen.release).toBe("2.0.0");
  });

  test("a pin that can be had needs no substitute; nothing usable means nothing is chosen", () => {
    expect(nearestRelease("1.45.0", [{ release: "1.45.0", source: "debian" }])).toBeUndefined();
    expect(nearestRelease("1.91.1", [{ release: "1.91.1", refused: "refused" }])).toBeUndefined();
    expect(nearestRelease("1.91.1", [{ release: "1.45.0", source: "debian" }])?.pinRefused).toBe("no candidate is the pinned release 1.91.1");
  });
});

describe("the dependency checks' pure parts", () => {
  test("catalog names absent from the exposed series; a histogram counts by its _count or _bucket", () => {
    const source = { job: "j", version: "v1", source: "s", note: "", metrics: [counter("a_total"), counter("b_total"), histogram("lat_seconds", [])] };
    expect(catalogNamesAbsent(source, new Set(["a_total", "lat_seconds_bucket"]))).toEqual(["b_total"]);
  });

  test("an OTLP/JSON span carries the ids and the service name, 25 ms long", () => {
    const body = otlpSpan("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331", "e2e-rig", 1_000) as any;
    const span = body.resourceSpans[0].scopeSpans[0].spans[0];
    expect(body.resourceSpans[0].resource.attributes).toEqual([{ key: "service.name", value: { stringValue: "e2e-rig" } }]);
    expect(span).toMatchObject({ traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", endTimeUnixNano: "1000000000", startTimeUnixNano: "975000000" });
  });
});
