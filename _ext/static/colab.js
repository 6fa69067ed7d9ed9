// The launch menu offers each framework's Colab entry (_ext/colab.py); show
// only the one of the framework tab the reader selected.
(() => {
  function show(framework) {
    const entries = document.querySelectorAll("[class*='btn-colab-']");
    if (![...entries].some((e) => e.classList.contains(`btn-colab-${framework}`))) return;
    for (const entry of entries) {
      (entry.closest("li") || entry).hidden =
        !entry.classList.contains(`btn-colab-${framework}`);
    }
  }
  function selected() {
    const label = document.querySelector(
      "input:checked + label.sd-tab-label[data-sync-group='framework']",
    );
    return label ? label.dataset.syncId : null;
  }
  document.addEventListener("change", (event) => {
    const label = event.target.nextElementSibling;
    if (label && label.dataset.syncGroup === "framework") {
      show(label.dataset.syncId);
    }
  });
  // After sphinx-design has restored the reader's last choice.
  window.addEventListener("load", () => show(selected()));
})();
