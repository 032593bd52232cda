// i18n.js — the pages' two languages: Chinese (zh-CN) first, English on request. Copied flat
// next to each page's own files at build time. Each page keeps its own texts, as
// { zh: {...}, en: {...} } with the same keys; this module holds what they do alike.

// The language a page starts in: English when the address asks for it (?lang=en) or when it
// was chosen last on this browser (localStorage `storageKey`, if the page keeps one), else
// Chinese.
export function startLang(storageKey) {
  if (new URLSearchParams(location.search).get('lang') === 'en') return 'en';
  if (storageKey && localStorage.getItem(storageKey) === 'en') return 'en';
  return 'zh';
}

// Remembers the language chosen on this browser.
export function keepLang(storageKey, lang) {
  localStorage.setItem(storageKey, lang);
}

export const otherLang = (lang) => (lang === 'en' ? 'zh' : 'en');

// The value of <html lang> (and of lang= on a part) for a language.
export const htmlLang = (lang) => (lang === 'en' ? 'en' : 'zh-CN');

// A text of `texts` in `lang`, the Chinese one where English has none.
export function text(texts, lang, key) {
  return (texts[lang] && texts[lang][key]) ?? texts.zh[key];
}

// Sets <html lang> and fills every element marked data-t="key" with that text.
export function applyLabels(lang, t) {
  document.documentElement.lang = htmlLang(lang);
  for (const e of document.querySelectorAll('[data-t]')) e.textContent = t[e.dataset.t];
}

// A data field in the language: `${field}_en` in English where the data has it, else the
// Chinese `field` (the controller's services, items and windows carry both).
export function localName(obj, lang, field = 'name') {
  return (lang === 'en' && obj && obj[`${field}_en`]) || (obj && obj[field]) || '';
}
