/* sahelmap web map helpers. Every string in the data was HTML-escaped in Python: the
   functions here only concatenate those strings and never evaluate data. */
(function () {
  "use strict";
  if (window.sahelmap) { return; }
  var SM = window.sahelmap = {};

  /* Packed GeoJSON (see _encode.py): coordinate sequences are flat integer deltas. */
  var DEPTH = {LineString: 0, MultiPoint: 0, Polygon: 1, MultiLineString: 1, MultiPolygon: 2};
  function unpack(flat, scale) {
    var out = [], x = 0, y = 0;
    for (var i = 0; i < flat.length; i += 2) {
      x += flat[i];
      y += flat[i + 1];
      out.push([x / scale, y / scale]);
    }
    return out;
  }
  SM.decode = function (fc) {
    if (!fc.scale) { return fc; }
    function walk(part, depth) {
      return depth === 0 ? unpack(part, fc.scale) : part.map(function (p) { return walk(p, depth - 1); });
    }
    fc.features.forEach(function (f) {
      var g = f.geometry;
      g.coordinates = g.type === "Point" ? unpack(g.coordinates, fc.scale)[0] : walk(g.coordinates, DEPTH[g.type]);
    });
    delete fc.scale;
    return fc;
  };

  SM.panes = function (map) {
    [["smBase", 350, false], ["smBorders", 410, false], ["smPoints", 450, true],
     ["smLabels", 460, false]].forEach(function (p) {
      if (!map.getPane(p[0])) {
        var pane = map.createPane(p[0]);
        pane.style.zIndex = p[1];
        if (!p[2]) { pane.style.pointerEvents = "none"; }
      }
    });
  };

  SM.background = function (map, color) {
    map.getContainer().style.background = color;
  };

  SM.land = function (map, data, o) {
    SM.panes(map);
    return L.geoJson(SM.decode(data), {pane: "smBase", interactive: false, style: function () {
      return {fillColor: o.fill, fillOpacity: 1, stroke: false};
    }});
  };

  SM.borders = function (map, regions, countries, o) {
    SM.panes(map);
    return L.layerGroup([
      L.geoJson(SM.decode(regions), {pane: "smBorders", interactive: false, style: function () {
        return {color: o.region, weight: 1.1, opacity: 0.9, fill: false};
      }}),
      L.geoJson(SM.decode(countries), {pane: "smBorders", interactive: false, style: function () {
        return {color: o.country, weight: 2, opacity: 1, fill: false};
      }})
    ]);
  };

  /* Numbers as the reader writes them (Intl: "60 000" in French, "60,000" in English). */
  SM.lang = "en";
  SM.fmt = function (x) {
    if (x === null || x === undefined) { return ""; }
    if (!SM._nf || SM._nfLang !== SM.lang) {
      SM._nf = new Intl.NumberFormat(SM.lang, {maximumFractionDigits: 2});
      SM._nfLang = SM.lang;
    }
    return SM._nf.format(x);
  };

  /* The language of the page: numbers, Leaflet's own button titles, a metric scale. */
  SM.locale = function (map, lang, text) {
    SM.lang = lang;
    document.documentElement.lang = lang;
    var zoom = map.zoomControl;
    if (zoom) {
      [[zoom._zoomInButton, text.zoom_in], [zoom._zoomOutButton, text.zoom_out]].forEach(function (b) {
        if (b[0]) { b[0].title = b[1]; b[0].setAttribute("aria-label", b[1]); }
      });
    }
    L.control.scale({imperial: false}).addTo(map);
    function translate() {  /* Leaflet's own fixed English titles */
      var c = map.getContainer();
      c.querySelectorAll(".leaflet-control-layers-toggle").forEach(function (el) {
        el.title = text.layers;
        el.setAttribute("aria-label", text.layers);
      });
      c.querySelectorAll(".leaflet-control-attribution a[title]").forEach(function (el) {
        el.title = "Leaflet";
      });
    }
    setTimeout(translate, 0);  /* after the layer control, made later in the page */
    map.on("popupopen", function (e) {
      var close = e.popup._closeButton;
      if (close) { close.setAttribute("aria-label", text.close); close.title = text.close; }
    });
  };

  /* Short counts for group circles: "1.8K", "1,8 k". */
  SM.compact = function (x) {
    if (x < 1000) { return SM.fmt(x); }
    return new Intl.NumberFormat(SM.lang, {notation: "compact", maximumFractionDigits: 1}).format(x);
  };

  /* The period shown: layers listen to the map's "smweek" event. */
  SM.week = function (map) { return map._smWeek || 0; };

  /* Choropleth of a unit x period grid (see _weeks.py): o.values[figure][period][unit],
     o.cls[period] one base-36 class character per unit. */
  SM.choropleth = function (map, data, o) {
    SM.panes(map);
    map._smWeek = o.week;
    function cls(f) { return parseInt(o.cls[SM.week(map)].charAt(f.properties.u), 36); }
    function style(f) {
      return {fillColor: o.colors[cls(f)], fillOpacity: o.opacity,
              color: o.stroke, weight: o.weight, opacity: 1};
    }
    var totals = {};  /* per country and period, of the first figure */
    function total(country, w) {
      var key = country + ":" + w;
      if (!(key in totals)) {
        var sum = 0, row = o.values[o.figures[0]][w];
        for (var u = 0; u < row.length; u++) { if (o.country[u] === country && row[u]) { sum += row[u]; } }
        totals[key] = sum;
      }
      return totals[key];
    }
    function signed(x) { return x === null ? o.text.no_data : (x > 0 ? "+" : "") + SM.fmt(x); }
    function tip(p) {
      var w = SM.week(map), first = o.values[o.figures[0]][w][p.u];
      var h = '<div class="sm-tip-title">' + p.n + "</div>";
      if (p.r) { h += '<div class="sm-tip-sub">' + p.r + "</div>"; }
      if (o.periods.length > 1) { h += '<div class="sm-tip-sub">' + o.periods[w] + "</div>"; }
      h += "<table>";
      if (o.mapped) {
        h += '<tr class="sm-tip-value"><th>' + o.mappedLabel + "</th><td>" +
             signed(o.mapped[w][p.u]) + "</td></tr>";
      }
      o.figures.forEach(function (column, i) {
        var x = o.values[column][w][p.u];
        h += "<tr" + (i === 0 && !o.mapped ? ' class="sm-tip-value"' : "") + "><th>" + o.fields[i] +
             "</th><td>" + (x === null ? o.text.no_data : SM.fmt(x)) + "</td></tr>";
      });
      var all = total(o.country[p.u], w);
      if (first !== null && all > 0) {
        h += "<tr><th>" + o.text.share + "</th><td>" + SM.fmt(Math.round(1000 * first / all) / 10) +
             "\u00a0%</td></tr>";
      }
      h += "</table>";
      if (o.periods.length > 1) {
        h += '<div class="sm-tip-trend"><div class="sm-tip-sub">' + o.fields[0] + " &middot; " +
             o.text.trend + "</div>" + SM.spark(o.values[o.figures[0]].map(function (row) {
               return row[p.u];
             }), w) + "</div>";
      }
      return h;
    }
    var layer = L.geoJson(SM.decode(data), {style: style, onEachFeature: function (f, l) {
      l.bindTooltip(function () { return tip(f.properties); },
                    {sticky: true, className: "sm-tip", direction: "top", offset: [0, -8]});
      l.on("mouseover", function () { l.setStyle({weight: 2.5, color: "#222"}); l.bringToFront(); });
      l.on("mouseout", function () { layer.resetStyle(l); });
    }});
    map.on("smweek", function () { layer.setStyle(style); });
    return layer;
  };

  /* A trend line of a unit's figure over the periods shown, as inline SVG; the period
     shown is marked, its figure and the extremes are written. */
  SM.spark = function (series, current) {
    var W = 180, H = 46, pad = 4, n = series.length, max = 0, min = 0;
    series.forEach(function (x) { if (x !== null) { max = Math.max(max, x); min = Math.min(min, x); } });
    var span = max - min || 1;
    function X(i) { return pad + (W - 2 * pad) * (n > 1 ? i / (n - 1) : 0.5); }
    function Y(x) { return H - pad - (H - 2 * pad) * (x - min) / span; }
    var path = "", pen = false;
    series.forEach(function (x, i) {
      if (x === null) { pen = false; return; }
      path += (pen ? "L" : "M") + X(i).toFixed(1) + " " + Y(x).toFixed(1);
      pen = true;
    });
    var s = '<svg class="sm-spark" width="' + W + '" height="' + H + '" viewBox="0 0 ' + W + " " + H +
            '" role="img" aria-label="' + series.map(function (x) { return x === null ? "-" : SM.fmt(x); }).join(", ") + '">' +
            '<line x1="0" x2="' + W + '" y1="' + Y(0).toFixed(1) + '" y2="' + Y(0).toFixed(1) +
            '" stroke="#ccc" stroke-width="1"/>' +
            '<path d="' + path + '" fill="none" stroke="#b2182b" stroke-width="1.6"/>';
    if (series[current] !== null && series[current] !== undefined) {
      s += '<circle cx="' + X(current).toFixed(1) + '" cy="' + Y(series[current]).toFixed(1) +
           '" r="3" fill="#111"/>';
    }
    return s + "</svg>";
  };

  /* The week selector: slider, previous/next buttons, arrow keys. Updates the title's period
     and the legend's counts, and tells the layers. */
  SM.weeks = function (map, o) {
    var Box = L.Control.extend({onAdd: function () {
      var div = L.DomUtil.create("div", "sm-box sm-weeks");
      div.innerHTML = '<div class="sm-weeks-row"><button type="button" class="sm-prev" ' +
        'aria-label="' + o.text.previous + '" title="' + o.text.previous + '">&#9664;</button>' +
        '<input type="range" class="sm-slider" min="0" max="' + (o.labels.length - 1) +
        '" step="1" value="' + o.week + '" aria-label="' + o.text.period + '">' +
        '<button type="button" class="sm-next" aria-label="' + o.text.next + '" title="' +
        o.text.next + '">&#9654;</button></div><div class="sm-weeks-label" aria-live="polite"></div>' +
        '<div class="sm-note">' + o.text.keys + "</div>";
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }});
    var control = new Box({position: "bottomleft"}).addTo(map), div = control.getContainer();
    var slider = div.querySelector(".sm-slider");
    function show(k) {
      k = Math.max(0, Math.min(o.labels.length - 1, k));
      map._smWeek = k;
      slider.value = k;
      div.querySelector(".sm-weeks-label").innerHTML = o.labels[k];
      var period = document.querySelector(".sm-title .sm-period");
      if (period) { period.innerHTML = o.titles[k]; }
      var counts = document.querySelectorAll(".sm-legend .sm-class .sm-count");
      o.classCounts[k].forEach(function (n, i) { if (counts[i]) { counts[i].textContent = SM.fmt(n); } });
      var types = document.querySelectorAll(".sm-legend .sm-type .sm-count");
      (o.typeCounts[k] || []).forEach(function (n, i) { if (types[i]) { types[i].textContent = SM.fmt(n); } });
      if (o.typeCounts[k]) {  /* the week's events: the legend's total and the layer's name */
        var n = SM.fmt(o.typeCounts[k].reduce(function (a, b) { return a + b; }, 0));
        document.querySelectorAll(".sm-legend .sm-events-total, .leaflet-control-layers .sm-layer-n")
          .forEach(function (el) { el.textContent = n; });
      }
      var synthetic = document.querySelector(".sm-legend .sm-synthetic");
      if (synthetic && o.synthetic) {
        synthetic.style.display = o.synthetic[k] ? "" : "none";
        synthetic.querySelector(".sm-synthetic-n").textContent = SM.fmt(o.synthetic[k]);
      }
      map.closePopup();
      map.fire("smweek", {week: k});
    }
    slider.addEventListener("input", function () { show(parseInt(slider.value, 10)); });
    div.querySelector(".sm-prev").addEventListener("click", function () { show(SM.week(map) - 1); });
    div.querySelector(".sm-next").addEventListener("click", function () { show(SM.week(map) + 1); });
    document.addEventListener("keydown", function (e) {
      var tag = (e.target && e.target.tagName) || "";
      if (e.target === slider || tag === "INPUT" || tag === "TEXTAREA" || e.altKey || e.ctrlKey || e.metaKey) { return; }
      var arrow = e.key === "ArrowLeft" || e.key === "ArrowRight";
      if (arrow && e.target === map.getContainer()) { return; }  /* the focused map pans */
      if (e.key === "ArrowLeft" || e.key === "PageUp") { show(SM.week(map) - 1); e.preventDefault(); }
      if (e.key === "ArrowRight" || e.key === "PageDown") { show(SM.week(map) + 1); e.preventDefault(); }
      if (e.key === "Home") { show(0); e.preventDefault(); }
      if (e.key === "End") { show(o.labels.length - 1); e.preventDefault(); }
    });
    show(o.week);
    control.show = show;
    return control;
  };

  SM.labels = function (map, rows) {
    SM.panes(map);
    var group = L.layerGroup(rows.map(function (r) {
      return L.marker([r[0], r[1]], {pane: "smLabels", interactive: false, keyboard: false,
        icon: L.divIcon({className: "sm-label " + (r[3] || ""), html: "<span>" + r[2] + "</span>",
                         iconSize: null})});
    }));
    return SM.declutter(map, group);  /* rows come largest region first */
  };

  /* Hide each label of a group of divIcon markers that would overlap one shown before it (in
     the group's order, so earlier rows win), again at each zoom and move. */
  SM.declutter = function (map, group) {
    function overlaps(a, b) {
      return !(a.right < b.left || a.left > b.right || a.bottom < b.top || a.top > b.bottom);
    }
    function declutter() {
      if (!map.hasLayer(group)) { return; }
      var placed = [];
      group.eachLayer(function (m) {
        var el = m.getElement();
        if (!el || !el.firstChild) { return; }
        el.style.visibility = "";
        var box = el.firstChild.getBoundingClientRect();
        if (!box.width && !box.height) { return; }  /* not displayed */
        if (placed.some(function (p) { return overlaps(box, p); })) {
          el.style.visibility = "hidden";
        } else {
          placed.push(box);
        }
      });
    }
    group.on("add", function () { setTimeout(declutter, 0); });
    map.on("zoomend moveend", declutter);
    return group;
  };

  SM.control = function (map, html, position, cls, first) {
    var Box = L.Control.extend({onAdd: function () {
      var div = L.DomUtil.create("div", "sm-box " + cls);
      div.innerHTML = html;
      L.DomEvent.disableClickPropagation(div);
      L.DomEvent.disableScrollPropagation(div);
      return div;
    }});
    var control = new Box({position: position}).addTo(map);
    var folded = control.getContainer().querySelector("details");
    if (folded && map.getSize().x < SM.NARROW) { folded.open = false; }
    if (first) {
      var el = control.getContainer();
      el.parentNode.insertBefore(el, el.parentNode.firstChild);
    }
    return control;
  };

  /* Narrow maps (a phone, an embedded report): legend folded, data over the whole width. */
  SM.NARROW = 640;
  SM.fit = function (map, bounds, legendWidth) {
    var narrow = map.getSize().x < SM.NARROW;
    map.getContainer().classList.toggle("sm-narrow", narrow);
    map.fitBounds(bounds, {paddingBottomRight: [narrow ? 0 : legendWidth, 0]});
  };

  SM.attribution = function (map, html) {
    var control = map.attributionControl || L.control.attribution().addTo(map);
    control.addAttribution(html);
  };
}());
