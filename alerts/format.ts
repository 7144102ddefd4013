import { Duration } from "./duration";
import { Threshold, ThresholdUnit } from "./thresholds";

/**
 * The unit of an alert's `$value`, which picks the template function that formats it.
 * `none` for alerts whose value carries no information (`up == 0`, `vector(1)`).
 */
export type ValueUnit = ThresholdUnit | "none";

/**
 * The Go template that formats `$value` in an annotation, by unit. Ratios go through
 * `humanizePercentage` (0.05 → "5%"), never `{{ $value }}%` as the guide wrote (which prints "0.05%").
 *
 * @see https://prometheus.io/docs/prometheus/latest/configuration/template_reference/#numbers
 */
export function valueTemplate(unit: ValueUnit): string {
  switch (unit) {
    case "seconds":
      return "{{ $value | humanizeDuration }}";
    case "ratio":
      return "{{ $value | humanizePercentage }}";
    case "percent":
      return "{{ $value | humanize }}%";
    case "bytes":
      return "{{ $value | humanize1024 }}B";
    case "bytesPerSecond":
      return "{{ $value | humanize1024 }}B/s";
    case "errorsPerSecond":
      return '{{ printf "%.2f" $value }} errors/s';
    case "factor":
      return "{{ $value | humanize }}x";
    case "count":
      return "{{ $value | humanize }}";
    case "none":
      return "";
  }
}

/** What {@link valueTemplate} renders for `value`: the same text Prometheus would produce. */
export function formatValue(value: number, unit: ValueUnit): string {
  switch (unit) {
    case "seconds":
      return humanizeDuration(value);
    case "ratio":
      return humanizePercentage(value);
    case "percent":
      return `${humanize(value)}%`;
    case "bytes":
      return `${humanize1024(value)}B`;
    case "bytesPerSecond":
      return `${humanize1024(value)}B/s`;
    case "errorsPerSecond":
      return `${value.toFixed(2)} errors/s`;
    case "factor":
      return `${humanize(value)}x`;
    case "count":
      return humanize(value);
    case "none":
      return "";
  }
}

/** A threshold in words for annotations and docs: `1s`, `500ms`, `5%`, `1MiB/s`, `1d`. */
export function formatThreshold(threshold: Threshold): string {
  if (threshold.unit === "seconds" && threshold.value >= 60 && Number.isInteger(threshold.value)) {
    return Duration.seconds(threshold.value).toString();
  }
  return formatValue(threshold.value, threshold.unit);
}

/**
 * Go's `fmt.Sprintf("%.4g", v)`. Exact decimal ties (12345 → Go "1.234e+04", half to even) round up
 * here; test values avoid them.
 */
export function goFormat4g(v: number): string {
  if (Number.isNaN(v)) {
    return "NaN";
  }
  if (!Number.isFinite(v)) {
    return v > 0 ? "+Inf" : "-Inf";
  }
  if (v === 0) {
    return "0";
  }
  const [mantissa, expText] = v.toExponential(3).split("e");
  const exp = Number(expText);
  const strip = (s: string) => (s.includes(".") ? s.replace(/0+$/, "").replace(/\.$/, "") : s);
  if (exp < -4 || exp >= 4) {
    const sign = exp < 0 ? "-" : "+";
    return `${strip(mantissa)}e${sign}${String(Math.abs(exp)).padStart(2, "0")}`;
  }
  return strip(v.toFixed(3 - exp));
}

/** Prometheus' `humanizePercentage`. */
export function humanizePercentage(v: number): string {
  return `${goFormat4g(v * 100)}%`;
}

/** Prometheus' `humanize` (SI prefixes). */
export function humanize(v: number): string {
  if (v === 0 || !Number.isFinite(v)) {
    return goFormat4g(v);
  }
  let prefix = "";
  if (Math.abs(v) >= 1) {
    for (const p of ["k", "M", "G", "T", "P", "E", "Z", "Y"]) {
      if (Math.abs(v) < 1000) {
        break;
      }
      prefix = p;
      v /= 1000;
    }
    return `${goFormat4g(v)}${prefix}`;
  }
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(v) >= 1) {
      break;
    }
    prefix = p;
    v *= 1000;
  }
  return `${goFormat4g(v)}${prefix}`;
}

/** Prometheus' `humanize1024` (binary prefixes). */
export function humanize1024(v: number): string {
  if (Math.abs(v) <= 1 || !Number.isFinite(v)) {
    return goFormat4g(v);
  }
  let prefix = "";
  for (const p of ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"]) {
    if (Math.abs(v) < 1024) {
      break;
    }
    prefix = p;
    v /= 1024;
  }
  return `${goFormat4g(v)}${prefix}`;
}

/** Prometheus' `humanizeDuration` (value in seconds). */
export function humanizeDuration(v: number): string {
  if (!Number.isFinite(v)) {
    return goFormat4g(v);
  }
  if (v === 0) {
    return "0s";
  }
  if (Math.abs(v) >= 1) {
    const sign = v < 0 ? "-" : "";
    const abs = Math.abs(v);
    const whole = Math.trunc(abs);
    const seconds = whole % 60;
    const minutes = Math.trunc(whole / 60) % 60;
    const hours = Math.trunc(whole / 3600) % 24;
    const days = Math.trunc(whole / 86400);
    if (days !== 0) {
      return `${sign}${days}d ${hours}h ${minutes}m ${seconds}s`;
    }
    if (hours !== 0) {
      return `${sign}${hours}h ${minutes}m ${seconds}s`;
    }
    if (minutes !== 0) {
      return `${sign}${minutes}m ${seconds}s`;
    }
    return `${sign}${goFormat4g(abs)}s`;
  }
  let prefix = "";
  for (const p of ["m", "u", "n", "p", "f", "a", "z", "y"]) {
    if (Math.abs(v) >= 1) {
      break;
    }
    prefix = p;
    v *= 1000;
  }
  return `${goFormat4g(v)}${prefix}s`;
}

/**
 * What an annotation template may use. Rules write their annotations as functions of this context,
 * so the same text renders as a Go template for Prometheus and as the expected string in unit tests.
 */
export interface AnnotationContext {
  /** `$value` formatted by the alert's unit. */
  readonly value: string;
  /** A label of the alert. */
  label(name: string): string;
}

/** The context that renders Go templates for the rule file. */
export function templateContext(unit: ValueUnit): AnnotationContext {
  return {
    value: valueTemplate(unit),
    label: (name: string) => `{{ $labels.${name} }}`,
  };
}

/** The context that renders what Prometheus would show for a concrete value and label set. */
export function concreteContext(value: number, unit: ValueUnit, labels: Readonly<Record<string, string>>): AnnotationContext {
  return {
    value: formatValue(value, unit),
    label: (name: string) => {
      if (!(name in labels)) {
        throw new Error(`annotation uses label "${name}", which the expected alert labels do not have`);
      }
      return labels[name];
    },
  };
}
