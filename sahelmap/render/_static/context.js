/* sahelmap context layer: neighbouring countries, their names, capitals and towns. The names
   were HTML-escaped in Python; nothing here is interactive. Needs sahelmap.js (decode,
   declutter) before it. */
(function () {
  "use strict";
  var SM = window.sahelmap;
  if (!SM || SM.context) { return; }

  function pane(map, name, z) {
    if (!map.getPane(name)) {
      var p = map.createPane(name);
      p.style.zIndex = z;
      p.style.pointerEvents = "none";
    }
  }

  /* countries: packed GeoJSON; dots: [lat, lon, capital 0/1]; labels: [lat, lon, html, class,
     scale] in order of priority (country names, then towns), where scale "far" shows below
     o.nearZoom, "near" from it on, and "" always. */
  SM.context = function (map, countries, dots, labels, o) {
    pane(map, "smContext", 340);       /* under the land of Mali and Niger (smBase, 350) */
    pane(map, "smTowns", 420);         /* above the choropleth and borders, under events */
    pane(map, "smContextLabels", 455); /* under the region labels (460) */
    var shapes = L.geoJson(SM.decode(countries), {pane: "smContext", interactive: false,
      style: function () {
        return {fillColor: o.fill, fillOpacity: 1, color: o.edge, weight: 0.8, opacity: 1};
      }});
    var towns = dots.map(function (d) {
      return L.circleMarker([d[0], d[1]], {pane: "smTowns", interactive: false,
        radius: d[2] ? 3.5 : 2.2, weight: d[2] ? 1.6 : 1.2, color: o.town, opacity: 1,
        fillColor: d[2] ? o.town : "#ffffff", fillOpacity: 1, className: "sm-town-dot"});
    });
    var names = L.layerGroup(labels.map(function (r) {
      return L.marker([r[0], r[1]], {pane: "smContextLabels", interactive: false,
        keyboard: false, smScale: r[4], icon: L.divIcon({className: "sm-context-label " + r[3],
                                          html: "<span>" + r[2] + "</span>", iconSize: null})});
    }));
    function byZoom() {  /* before the declutter, which skips what is not displayed */
      var near = map.getZoom() >= o.nearZoom;
      names.eachLayer(function (m) {
        var el = m.getElement(), scale = m.options.smScale;
        if (el) { el.style.display = !scale || (scale === "near") === near ? "" : "none"; }
      });
    }
    names.on("add", byZoom);
    map.on("zoomend", byZoom);
    return L.layerGroup([shapes, L.layerGroup(towns), SM.declutter(map, names)]);
  };
}());
