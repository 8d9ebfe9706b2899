/** The report formats (SPEC §5); kept apart from the renderers so the CLI can list them without loading any. */
export const FORMATS = ['text', 'json', 'sarif', 'html', 'junit'] as const;
export type Format = (typeof FORMATS)[number];
