// The insight page's what-if: the answer updates as the reader types, fetched from the what-if
// partial (the form works without this script: it submits with GET and the page answers).
// No inline handlers: the Content-Security-Policy forbids them.
(function () {
  const form = document.querySelector("form[data-what-if-url]");
  const region = document.getElementById("what-if-result");
  if (!form || !region) return;
  const url = form.dataset.whatIfUrl;
  const inputs = [...form.querySelectorAll(".what-if-input")];
  let timer = null;
  let controller = null;

  // Each field's message, beside it, from the answer's list of errors.
  function showErrors() {
    inputs.forEach((input) => {
      const item = region.querySelector(`[data-error-for="${input.id}"]`);
      const message = item ? item.dataset.message : "";
      const holder = document.getElementById(`${input.id}-error`);
      if (holder) holder.textContent = message;
      input.classList.toggle("is-invalid", Boolean(message));
      if (message) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  }

  async function update() {
    if (controller) controller.abort();
    controller = new AbortController();
    const query = new URLSearchParams(new FormData(form)).toString();
    try {
      const response = await fetch(`${url}?${query}`, {
        signal: controller.signal,
        credentials: "same-origin",
        headers: { Accept: "text/html" },
      });
      if (!response.ok) return;  // leave the last answer; the button still submits the form
      // Parsed, not assigned as markup: the answer's nodes replace the region's.
      const answer = new DOMParser().parseFromString(await response.text(), "text/html");
      region.replaceChildren(...answer.body.childNodes);
      region.dataset.state = "updated";
      showErrors();
      history.replaceState(null, "", `${form.getAttribute("action").split("#")[0]}?${query}#what-if`);
    } catch (error) {
      if (error.name !== "AbortError") throw error;
    }
  }

  form.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(update, 350);
  });
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearTimeout(timer);
    update();
  });
})();
