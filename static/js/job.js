// A background job's page: poll its status every second and move the progress bar; once the
// job has finished, load the page again, which then shows the download or the outcome.
// Without JavaScript the page's "Tải lại" link does the same by hand.
(() => {
  const box = document.querySelector("[data-job-status-url]");
  if (!box || box.dataset.jobFinished === "true") return;
  const bar = box.querySelector("[data-job-progress]");
  const percent = box.querySelector("[data-job-percent]");
  const label = box.querySelector("[data-job-label]");

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.jobStatusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (response.ok) {
        const status = await response.json();
        if (status.finished) {
          window.location.reload();
          return;
        }
        if (bar) bar.value = status.percent;
        if (percent) percent.textContent = status.percent;
        if (label) label.textContent = status.label;
      }
    } catch (error) {
      // A dropped connection: try again at the next tick.
    }
    window.setTimeout(poll, 1000);
  };
  window.setTimeout(poll, 1000);
})();
