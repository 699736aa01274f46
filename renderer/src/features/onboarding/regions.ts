import { getCountries, getCountryCallingCode } from 'libphonenumber-js/max';

export interface RegionOption {
  region: string;
  callingCode: string;
  name: string;
}

/** Every region libphonenumber knows, named in the UI language and sorted by that name. */
export function regionOptions(language: string): RegionOption[] {
  const names = new Intl.DisplayNames([language], { type: 'region' });
  const collator = new Intl.Collator(language);
  return getCountries()
    .map((region) => ({ region, callingCode: getCountryCallingCode(region), name: names.of(region) ?? region }))
    .sort((a, b) => collator.compare(a.name, b.name));
}

/** The region of the browser's locale ("zh-CN" is China, a bare "en" is the US): the likely country. */
export function regionFromLocale(languages: readonly string[]): string {
  const known = new Set<string>(getCountries());
  for (const tag of languages) {
    try {
      const region = new Intl.Locale(tag).maximize().region;
      if (region !== undefined && known.has(region)) return region;
    } catch {
      // A malformed tag: try the next one.
    }
  }
  return 'US';
}
