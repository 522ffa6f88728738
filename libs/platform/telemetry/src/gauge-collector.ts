/** Sets one series of a gauge during a scrape: its labels (all of the gauge's label names) and value. */
export type SetGauge = (labels: Readonly<Record<string, string>>, value: number) => void;

/**
 * Reads a current value at scrape time and reports it through `set`, once per series. May be async
 * (a queue depth read from Redis). A collector that throws or rejects loses its series for that scrape
 * and counts in `telemetry_gauge_collect_errors_total{gauge}`, as does a gauge whose async collectors
 * have not settled within `collectTimeoutMs`; the rest of the page still renders.
 */
export type GaugeCollector = (set: SetGauge) => void | Promise<void>;
