// Draw each Vega-Lite chart on the page (d2lmini/explorer/vegalite.py leaves its spec
// there as JSON) with the Vega bundle the site serves itself (_ext/vegalite.py).
// The controls are radio buttons: Tab reaches them, the arrow keys choose.
document.addEventListener("DOMContentLoaded", () => {
  for (const holder of document.querySelectorAll(".d2lmini-vegalite")) {
    const spec = JSON.parse(holder.querySelector("script").textContent);
    const target = document.createElement("div");
    holder.append(target);
    const options = { mode: "vega-lite", renderer: "svg", actions: false };
    vegaEmbed(target, spec, options)
      .then((result) => {
        holder.vegaView = result.view; // for the browser tests
        holder.dataset.drawn = "true";
      })
      .catch((error) => {
        holder.append(`The interactive figure could not be drawn: ${error}`);
        throw error;
      });
  }
});
