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

  SM.choropleth = function (map, data, o) {
    SM.panes(map);
    function style(f) {
      return {fillColor: o.colors[f.properties.c], fillOpacity: o.opacity,
              color: o.stroke, weight: o.weight, opacity: 1};
    }
    function tip(p) {
      var h = '<div class="sm-tip-title">' + p.v[0] + "</div>";
      if (p.v[1]) { h += '<div class="sm-tip-sub">' + p.v[1] + "</div>"; }
      h += "<table>";
      for (var i = 2; i < o.fields.length; i++) {
        h += "<tr" + (i === 2 ? ' class="sm-tip-value"' : "") + "><th>" + o.fields[i] +
             "</th><td>" + p.v[i] + "</td></tr>";
      }
      return h + "</table>";
    }
    var layer = L.geoJson(SM.decode(data), {style: style, onEachFeature: function (f, l) {
      l.bindTooltip(function () { return tip(f.properties); },
                    {sticky: true, className: "sm-tip", direction: "top", offset: [0, -8]});
      l.on("mouseover", function () { l.setStyle({weight: 2.5, color: "#222"}); l.bringToFront(); });
      l.on("mouseout", function () { layer.resetStyle(l); });
    }});
    return layer;
  };

  function clusterIcon(cluster) {
    var n = cluster.getChildCount();
    var s = n < 10 ? 26 : n < 100 ? 32 : n < 1000 ? 38 : 44;
    return L.divIcon({html: "<div><span>" + n + "</span></div>", className: "sm-cluster",
                      iconSize: L.point(s, s)});
  }

  SM.events = function (map, d, o) {
    SM.panes(map);
    var S = d.S;
    function txt(key, i) {
      var a = d[key];
      if (!a || a[i] < 0) { return ""; }
      return S[a[i]];
    }
    function popup(layer) {
      var i = layer.options.smi, t = d.t[i];
      var where = [txt("p", i), txt("r", i)].filter(Boolean).join(", ");
      var when = [txt("d", i), where].filter(Boolean).join(" &middot; ");
      var actors = [txt("a1", i), txt("a2", i)].filter(Boolean).join(" &ndash; ");
      var h = '<div class="sm-pop"><div class="sm-pop-type"><span class="sm-dot" style="background:' +
              o.colors[t] + '"></span>' + o.types[t] + "</div>";
      if (when) { h += '<div class="sm-pop-when">' + when + "</div>"; }
      h += "<table><tr><th>Fatalities</th><td>" + d.f[i] + "</td></tr>";
      if (actors) { h += "<tr><th>Actors</th><td>" + actors + "</td></tr>"; }
      if (txt("s", i)) { h += "<tr><th>Source</th><td>" + txt("s", i) + "</td></tr>"; }
      h += "</table>";
      if (txt("n", i)) { h += '<p class="sm-pop-notes">' + txt("n", i) + "</p>"; }
      if (Array.isArray(d.y) ? d.y[i] : d.y) { h += '<div class="sm-pop-flag">Synthetic record (test data)</div>'; }
      return h + "</div>";
    }
    var n = d.lat.length, markers = new Array(n);
    for (var i = 0; i < n; i++) {
      markers[i] = L.circleMarker([d.lat[i], d.lon[i]], {
        pane: "smPoints", smi: i,
        radius: Math.min(o.r0 + o.rk * Math.sqrt(d.f[i]), o.rmax),
        fillColor: o.colors[d.t[i]], fillOpacity: 0.85, color: "#ffffff", weight: 1, opacity: 0.95
      }).bindPopup(popup, {maxWidth: 340});
    }
    if (o.cluster) {
      if (!isFinite(map.getMaxZoom())) { map.setMaxZoom(18); }  /* clusters need a max zoom */
      var group = L.markerClusterGroup({chunkedLoading: true, showCoverageOnHover: false,
                                        maxClusterRadius: 45, iconCreateFunction: clusterIcon});
      group.addLayers(markers);
      return group;
    }
    return L.featureGroup(markers);
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
    if (first) {
      var el = control.getContainer();
      el.parentNode.insertBefore(el, el.parentNode.firstChild);
    }
    return control;
  };

  SM.attribution = function (map, html) {
    var control = map.attributionControl || L.control.attribution().addTo(map);
    control.addAttribution(html);
  };
}());
