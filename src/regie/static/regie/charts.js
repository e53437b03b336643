/* Veiligheidsregie charts: embeds every [data-chart-spec] element with vega-embed.
 *
 * Markup (core/_chart.html):
 *   <div data-chart-spec="ID-of-a-script-type-application/json"
 *        data-vega-locale="/static/regie/vendor/vega-locale-nl.json"   (or on <body>; optional)
 *        data-chart-description="text alternative" data-chart-table="ID-of-the-table-details"
 *        data-chart-error="message shown when the chart cannot be drawn">
 *
 * Content-Security-Policy (script-src 'self', style-src 'self', no 'unsafe-eval'):
 * - `ast: true` makes vega-embed evaluate expressions with the bundled vega-interpreter, not
 *   with `new Function`;
 * - `defaultStyle: false` and `tooltip.disableDefaultStyle` stop vega-embed and vega-tooltip from
 *   injecting <style> elements; charts.css carries that CSS.
 * [data-chart-defer="URL"]: a placeholder whose chart and table are fetched from URL (with the
 * header X-Regie-Fragment: 1) when it comes near the screen; its link works without JavaScript.
 * Runs on DOMContentLoaded and after every htmx swap (htmx:afterSettle); each element once.
 */
(function () {
  "use strict";

  var locales = {};

  function loadLocale(url) {
    if (!url) {
      return Promise.resolve(null);
    }
    if (!locales[url]) {
      locales[url] = fetch(url, { credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("locale " + response.status);
          }
          return response.json();
        })
        .catch(function () {
          return null; // numbers then show in vega's default (English) format; still readable
        });
    }
    return locales[url];
  }

  // Small multiples: as many columns as fit the container (at most the spec's `columns`).
  function fitFacets(spec, el) {
    var meta = spec.usermeta && spec.usermeta.regie && spec.usermeta.regie.facet;
    if (!meta || !spec.spec) {
      return;
    }
    var available = el.clientWidth || 600;
    var gap = 16;
    var axis = 56; // y axis labels and title of each panel
    var minWidth = meta.minWidth || 160;
    var columns = Math.max(1, Math.min(meta.maxColumns || 3, Math.floor(available / (minWidth + axis + gap))));
    spec.columns = columns;
    spec.spec.width = Math.max(80, Math.floor(available / columns) - axis - gap);
  }

  function showTable(el) {
    var tableId = el.getAttribute("data-chart-table");
    var details = tableId ? document.getElementById(tableId) : null;
    if (details && details.tagName === "DETAILS") {
      details.open = true;
    }
  }

  function fail(el, error) {
    el.setAttribute("data-chart-state", "failed");
    el.removeAttribute("role");
    el.removeAttribute("aria-label");
    el.removeAttribute("aria-roledescription");
    el.classList.add("regie-chart__canvas--failed");
    var message = document.createElement("p");
    message.className = "regie-chart__error";
    message.textContent = el.getAttribute("data-chart-error") || "The chart could not be shown.";
    el.replaceChildren(message);
    showTable(el);
    if (window.console && error) {
      window.console.warn("chart", el.getAttribute("data-chart-spec"), error);
    }
  }

  function label(el, description) {
    // vega marks the container as a graphics-document; one image with one text alternative is
    // what screen readers handle well. The table alternative holds the figures.
    el.removeAttribute("role");
    el.removeAttribute("aria-label");
    el.removeAttribute("aria-roledescription");
    var svg = el.querySelector("svg");
    if (svg) {
      // Inside one image, vega's per-mark roles would each need their own text alternative.
      svg.querySelectorAll("[role], [aria-roledescription]").forEach(function (node) {
        node.removeAttribute("role");
        node.removeAttribute("aria-roledescription");
      });
      svg.setAttribute("role", "img");
      svg.setAttribute("focusable", "false");
      if (description) {
        svg.setAttribute("aria-label", description);
      }
    }
  }

  function embed(el) {
    if (el.hasAttribute("data-chart-state")) {
      return;
    }
    el.setAttribute("data-chart-state", "loading");
    if (typeof window.vegaEmbed !== "function") {
      fail(el, new Error("vega-bundle.js is not loaded"));
      return;
    }
    var spec;
    try {
      var script = document.getElementById(el.getAttribute("data-chart-spec"));
      spec = JSON.parse(script.textContent);
    } catch (error) {
      fail(el, error);
      return;
    }
    fitFacets(spec, el);
    var description = el.getAttribute("data-chart-description") || spec.description || "";
    var localeUrl = el.getAttribute("data-vega-locale") || document.body.getAttribute("data-vega-locale");
    loadLocale(localeUrl)
      .then(function (locale) {
        var options = {
          renderer: "svg",
          actions: false,
          ast: true,
          defaultStyle: false,
          tooltip: { disableDefaultStyle: true },
        };
        if (locale) {
          options.formatLocale = locale.format;
          options.timeFormatLocale = locale.timeFormat;
        }
        return window.vegaEmbed(el, spec, options);
      })
      .then(function () {
        el.setAttribute("data-chart-state", "ready");
        label(el, description);
      })
      .catch(function (error) {
        fail(el, error);
      });
  }

  // A chart with a long table comes in its own request (veiligheidsbeeld/_deferred_chart.html):
  // its placeholder (title, note, sources and a link to the chart on a page of its own) is
  // replaced by the chart and its table when it comes near the screen.
  function loadDeferred(el) {
    if (el.hasAttribute("data-chart-state")) {
      return;
    }
    el.setAttribute("data-chart-state", "loading");
    fetch(el.getAttribute("data-chart-defer"), {
      credentials: "same-origin",
      headers: { "X-Regie-Fragment": "1" },
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("figure " + response.status);
        }
        return response.text();
      })
      .then(function (html) {
        var template = document.createElement("template");
        template.innerHTML = html;
        var nodes = Array.prototype.slice.call(template.content.querySelectorAll("[data-chart-spec]"));
        el.replaceWith(template.content);
        nodes.forEach(embed);
      })
      .catch(function (error) {
        el.removeAttribute("data-chart-state"); // the link still leads to the chart
        if (window.console) {
          window.console.warn("chart", el.getAttribute("data-chart-defer"), error);
        }
      });
  }

  var observer =
    "IntersectionObserver" in window
      ? new IntersectionObserver(
          function (entries) {
            entries.forEach(function (entry) {
              if (entry.isIntersecting) {
                observer.unobserve(entry.target);
                loadDeferred(entry.target);
              }
            });
          },
          { rootMargin: "600px 0px" }
        )
      : null;

  function init() {
    document.querySelectorAll("[data-chart-spec]").forEach(embed);
    document.querySelectorAll("[data-chart-defer]").forEach(function (el) {
      if (observer) {
        observer.observe(el);
      } else {
        loadDeferred(el);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  document.addEventListener("htmx:afterSettle", init);
})();
