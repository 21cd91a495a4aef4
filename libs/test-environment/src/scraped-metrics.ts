import parsePrometheusTextFormat from 'parse-prometheus-text-format';

/** One scrape of a Prometheus /metrics answer (text format), parsed: for tests that compare scrapes. */
export class ScrapedMetrics {
  private readonly families: ReturnType<typeof parsePrometheusTextFormat>;

  constructor(readonly text: string) {
    // The parser drops a last line without its newline.
    this.families = parsePrometheusTextFormat(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Whether the scrape has a family of that name (with or without samples). */
  has(name: string): boolean {
    return this.families.some((family) => family.name === name);
  }

  type(name: string): string | undefined {
    return this.families.find((family) => family.name === name)?.type;
  }

  /** The samples of a counter or gauge whose labels include `labels`, with their values. */
  samples(name: string, labels: Record<string, string> = {}): { labels: Record<string, string>; value: number }[] {
    return this.matching(name, labels).map((sample) => ({ labels: sample.labels ?? {}, value: Number(sample.value) }));
  }

  /** The sum of a counter or gauge over the samples whose labels include `labels` (0 when none). */
  sum(name: string, labels: Record<string, string> = {}): number {
    return this.samples(name, labels).reduce((total, sample) => total + sample.value, 0);
  }

  /** The count of a histogram's observations over the samples whose labels include `labels` (0 when none). */
  histogramCount(name: string, labels: Record<string, string> = {}): number {
    return this.matching(name, labels).reduce((total, sample) => total + Number(sample.count ?? 0), 0);
  }

  private matching(name: string, labels: Record<string, string>) {
    const family = this.families.find((f) => f.name === name);
    return (family?.metrics ?? []).filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
  }
}

/** GETs a /metrics URL (with a bearer key, for the gateway's) and parses it. */
export async function scrapeMetrics(url: string, bearer?: string): Promise<ScrapedMetrics> {
  const response = await fetch(url, { headers: bearer ? { authorization: `Bearer ${bearer}` } : {}, signal: AbortSignal.timeout(15_000) });
  const text = await response.text();
  if (!response.ok) throw new Error(`GET ${url}: ${response.status} ${text.slice(0, 200)}`);
  return new ScrapedMetrics(text);
}
