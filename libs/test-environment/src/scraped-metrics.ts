import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One scrape of a Prometheus /metrics answer (text format), parsed: for tests that compare scrapes. */
export class ScrapedMetrics {
  private readonly families: ReturnType<typeof parsePrometheusTextFormat>;

  constructor(readonly text: string) {
    // The parser merges the samples of a labelled histogram into one and drops their labels
    // (its flattenMetrics), so histograms are read as what they are on the wire, untyped series
    // `_bucket`, `_sum` and `_count`, which it parses line by line. It also drops a last line
    // without its newline.
    const lines = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
    this.families = parsePrometheusTextFormat(lines.endsWith('\n') ? lines : `${lines}\n`);
  }

  /** Whether the scrape has a family of that name (with or without samples; a histogram by its `_count`). */
  has(name: string): boolean {
    return this.families.some((family) => family.name === name || family.name === `${name}_count`);
  }

  /** The samples of a counter or gauge whose labels include `labels`, with their values. */
  samples(name: string, labels: Record<string, string> = {}): { labels: Record<string, string>; value: number }[] {
    return this.matching(name, labels).map((sample) => ({ labels: sample.labels ?? {}, value: Number(sample.value) }));
  }

  /** The sum of a counter or gauge over the samples whose labels include `labels` (0 when none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((total, sample) => total + sample.value, 0);
  }

  /** A histogram's observations over the samples whose labels include `labels` (0 when none). */
  histogramCount(name: string, labels: Record<string, string> = {}): number {
    return this.sum(`${name}_count`, labels);
  }

  /** A histogram's sum of observed values over the samples whose labels include `labels`. */
  histogramSum(name: string, labels: Record<string, string> = {}): number {
    return this.sum(`${name}_sum`, labels);
  }

  private matching(name: string, labels: Record<string, string>) {
    // Untyped, a histogram's series come as one family per run of lines: every family of the name counts.
    const samples = this.families.filter((f) => f.name === name).flatMap((f) => f.metrics);
    return samples.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
  }
}

/** GETs a /metrics URL (with a bearer key, for the gateway's) and parses it. */
export async function scrapeMetrics(url: string, bearer?: string): Promise<ScrapedMetrics> {
  const response = await fetch(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {}, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 200)}`);
  return new ScrapedMetrics(text);
}
