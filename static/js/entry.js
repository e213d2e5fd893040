// Self-assessment page: keep unsaved input in the browser (a session that expires, a tab that
// closes or a validation round never loses what was typed) and warn before leaving unsaved.
// The draft keeps each leaf's version too: a restored draft is still checked against saves
// made by others in between, as the page it was typed on would have been.
(function () {
  "use strict";
  // A bar's width comes from its data-width (percent): the Content-Security-Policy refuses
  // inline style attributes, not styles set from a script file.
  document.querySelectorAll(".progress-bar[data-width]").forEach(function (bar) {
    bar.style.width = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0)) + "%";
  });
  document.querySelectorAll("[data-confirm]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      if (!window.confirm(button.dataset.confirm)) { event.preventDefault(); }
    });
  });
  var form = document.getElementById("entry-form");
  if (!form || form.querySelector("fieldset[disabled]")) { return; }
  var key = form.dataset.draftKey;
  var banner = document.getElementById("draft-banner");
  var dirty = false;

  function fields() {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.type !== "file" && el.name !== "csrfmiddlewaretoken";
    });
  }
  function snapshot() {
    var data = {};
    fields().forEach(function (el) {
      if (el.type === "checkbox") { data[el.name] = el.checked; }
      else if (el.type === "radio") { if (el.checked) { data[el.name] = el.value; } }
      else { data[el.name] = el.value; }
    });
    return data;
  }
  function apply(data) {
    fields().forEach(function (el) {
      if (!(el.name in data)) { return; }
      if (el.type === "checkbox") { el.checked = !!data[el.name]; }
      else if (el.type === "radio") { el.checked = el.value === data[el.name]; }
      else { el.value = data[el.name]; }
      if (el.type !== "hidden") { el.dispatchEvent(new Event("change", { bubbles: true })); }
    });
  }
  function forget() {
    try { window.localStorage.removeItem(key); } catch (e) { /* storage unavailable */ }
  }
  if (form.dataset.saved) {
    forget();
    // Drop ?saved from the address, so a later reload or login redirect keeps new drafts.
    window.history.replaceState(null, "", window.location.pathname + window.location.hash);
  }
  var initial = JSON.stringify(snapshot());
  var saved = null;
  try { saved = window.localStorage.getItem(key); } catch (e) { saved = null; }
  if (form.dataset.holdsInput) {
    // A refused or partly refused save: the page itself holds what was typed and not stored,
    // with the new versions of the leaves that were saved. It becomes the draft (an older
    // draft would bring back old versions, and the next save would conflict with one's own),
    // and leaving the page still warns.
    try { window.localStorage.setItem(key, initial); } catch (e) { /* storage unavailable */ }
    dirty = true;
  } else if (saved && saved !== initial && banner) {
    banner.classList.remove("d-none");
    document.getElementById("draft-restore").addEventListener("click", function () {
      apply(JSON.parse(saved)); dirty = true; banner.classList.add("d-none");
    });
    document.getElementById("draft-discard").addEventListener("click", function () {
      forget(); banner.classList.add("d-none");
    });
  } else if (saved) {
    forget();
  }
  form.addEventListener("input", function () {
    dirty = true;
    try { window.localStorage.setItem(key, JSON.stringify(snapshot())); } catch (e) { /* full or private mode */ }
  });
  form.addEventListener("change", function () { dirty = true; });
  form.addEventListener("submit", function () { dirty = false; });
  window.addEventListener("beforeunload", function (event) {
    if (dirty) { event.preventDefault(); event.returnValue = ""; }
  });
})();
