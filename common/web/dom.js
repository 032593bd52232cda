// dom.js — small DOM helpers shared by every page (controller pages and the kiosk's).
// Copied flat next to each page's own files at build time (see cmake/HallqWeb.cmake).
//
// Data from a daemon goes into the page as text only: el() turns every child that is not a
// Node into a Text node, and esc() escapes what a page builds as markup itself.

// The element with this id.
export const $ = (id) => document.getElementById(id);

// An element: el('td', { class: 'num', text: '3' }), el('button', { type: 'button', onclick: f }, 'OK').
// Attributes: `class` sets the class name, `text` the text content, `on<event>` with a function
// adds a listener; null, undefined and false leave an attribute out, true sets it empty.
// Children (arrays are flattened): Nodes as they are, anything else as text; null, undefined,
// false and '' are skipped.
export function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') e.className = v;
    else if (k === 'text') e.textContent = v;
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false || c === '') continue;
    e.append(c instanceof Node ? c : String(c));
  }
  return e;
}

// Text made safe to put into markup (innerHTML, attribute values).
export const esc = (s) => String(s ?? '').replace(/[&<>"']/g,
  (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));

// A short message in the page's #toast element: 2.5 s, or 5 s when it reports a failure (bad).
export function toast(text, bad = false) {
  const t = $('toast');
  if (!t) return;
  t.textContent = text;
  t.classList.toggle('bad', !!bad);
  t.classList.add('show');
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => t.classList.remove('show'), bad ? 5000 : 2500);
}
