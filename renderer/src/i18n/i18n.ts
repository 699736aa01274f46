import { useCallback } from 'react';
import { create } from 'zustand';
import { en, type MessageKey } from './en.js';
import { formatMessage, type MessageParams } from './message-format.js';
import { zhCN } from './zh-CN.js';

export type Language = 'en' | 'zh-CN';
export const languages: readonly { id: Language; label: string }[] = [
  { id: 'en', label: 'English' },
  { id: 'zh-CN', label: '简体中文' },
];

const catalogues: Record<Language, Record<MessageKey, string>> = { en, 'zh-CN': zhCN };
// A preference, not a secret: localStorage is the right place and survives the session.
const storageKey = 'switchboard.language';

export type { MessageKey, MessageParams };
export type Translate = (key: MessageKey, params?: MessageParams) => string;

function initialLanguage(): Language {
  try {
    const saved = window.localStorage.getItem(storageKey);
    if (saved === 'en' || saved === 'zh-CN') return saved;
  } catch {
    // Storage disabled: fall back to the browser's languages.
  }
  return navigator.languages.some((tag) => tag.toLowerCase().startsWith('zh')) ? 'zh-CN' : 'en';
}

export function format(language: Language, key: MessageKey, params: MessageParams = {}): string {
  return formatMessage(language, catalogues[language][key], params);
}

export function isMessageKey(key: string): key is MessageKey {
  return key in en;
}

interface LanguageState {
  language: Language;
  setLanguage(language: Language): void;
}

export const useLanguage = create<LanguageState>((set) => ({
  language: initialLanguage(),
  setLanguage(language) {
    try {
      window.localStorage.setItem(storageKey, language);
    } catch {
      // Only this tab keeps the choice then.
    }
    document.documentElement.lang = language;
    set({ language });
  },
}));

export function useT(): Translate {
  const language = useLanguage((state) => state.language);
  return useCallback((key, params) => format(language, key, params), [language]);
}

/** Outside React (stores, toasts). */
export function translate(key: MessageKey, params?: MessageParams): string {
  return format(useLanguage.getState().language, key, params);
}
