// Makes the book's charts interactive where JavaScript runs. Every chart is already on the
// page as the SVG Vega drew at build time; when a chart comes near the viewport this loads
// Vega, Vega-Lite and vega-embed (self-hosted under assets/vega/, once per page), fetches the
// chart's Vega-Lite spec (charts/<id>.js, a script: a page read from file:// may load scripts
// but not fetch) and embeds it in place of the SVG. If anything
// fails the SVG stays, and the failure is logged once.
(() => {
  "use strict";
  const figures = [...document.querySelectorAll("figure.chart[data-spec]")];
  if (figures.length === 0) return;
  let libraries = null;
  const script = (src) =>
    new Promise((resolve, reject) => {
      const s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.appendChild(s);
    });
  const load = () =>
    libraries ??= script("assets/vega/vega.min.js")
      .then(() => script("assets/vega/vega-lite.min.js"))
      .then(() => script("assets/vega/vega-embed.min.js"));
  const embed = async (figure) => {
    try {
      await load();
      await script(figure.dataset.spec);
      const spec = globalThis.bookCharts?.[figure.id];
      if (!spec) throw new Error(`${figure.dataset.spec} holds no spec for ${figure.id}`);
      const target = document.createElement("div");
      target.className = "chart-live";
      figure.appendChild(target);
      await globalThis.vegaEmbed(target, spec, { actions: false, renderer: "svg" });
      figure.classList.add("interactive");
    } catch (e) {
      console.warn(`chart ${figure.id} stays static: ${e.message}`);
    }
  };
  if (!("IntersectionObserver" in window)) {
    figures.forEach(embed);
    return;
  }
  const seen = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      if (!entry.isIntersecting) continue;
      seen.unobserve(entry.target);
      embed(entry.target);
    }
  }, { rootMargin: "200px" });
  figures.forEach((f) => seen.observe(f));
})();
