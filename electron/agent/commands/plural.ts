/** "1 contact", "2 contacts", "0 contacts": English plural rules for the CLI's summaries. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en')} ${count === 1 ? singular : pluralForm}`;
}
