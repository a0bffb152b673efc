// The report formats by name: what the CLI offers for --format before it loads any reporter.
export const FORMATS = ['pretty', 'json', 'github', 'sarif', 'markdown', 'gitlab'] as const;

export type FormatName = (typeof FORMATS)[number];
