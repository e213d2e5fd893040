// Recovery codes: the "print" button (no inline handlers: the Content-Security-Policy forbids them).
document.querySelectorAll("[data-two-factor-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});
