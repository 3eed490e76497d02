/* sahelmap event layer: packed typed columns (see _pack.py) drawn on one canvas.
   Nearby events are grouped per zoom in a pixel grid when many are in view; popups are built
   on click from the columns. Strings were HTML-escaped in Python and are only concatenated. */
(function () {
  "use strict";
  var SM = window.sahelmap;
  var CELL = 56;            /* pixels: grid of the groups */
  var GROUP_ABOVE = 1500;   /* events in view above which nearby events are grouped */
  var GROUP_UNTIL = 13;     /* zoom from which every event is drawn alone */

  function inflate(p) {
    /* base64 -> gzip -> ArrayBuffer, with the browser's own decoders (no network). */
    return fetch("data:application/octet-stream;base64," + p.blob)
      .then(function (r) { return r.body.pipeThrough(new DecompressionStream("gzip")); })
      .then(function (s) { return new Response(s).arrayBuffer(); })
      .then(function (buffer) {
        var types = {u1: Uint8Array, u2: Uint16Array, u4: Uint32Array, i4: Int32Array};
        var d = {n: p.n};
        p.cols.forEach(function (c) {
          d[c[0]] = new types[c[1]](buffer, c[2], c[3]);
        });
        d.S = JSON.parse(new TextDecoder().decode(d.S));
        var lon = new Float64Array(p.n), x = 0, mx = new Float64Array(p.n),
            my = new Float64Array(p.n);
        for (var i = 0; i < p.n; i++) {
          x += d.x[i];
          lon[i] = x / p.scale;
          var lat = d.y[i] / p.scale, s = Math.sin(lat * Math.PI / 180);
          mx[i] = (lon[i] + 180) / 360;  /* Web Mercator, 0..1: Leaflet's projection */
          my[i] = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
        }
        d.lon = lon;
        d.mx = mx;
        d.my = my;
        return d;
      });
  }

  SM.EventLayer = L.Layer.extend({
    initialize: function (packed, o) {
      this._packed = packed;
      this._o = o;
      this._week = o.week || 0;
      this._drawn = [];
    },
    onAdd: function (map) {
      SM.panes(map);
      this._canvas = L.DomUtil.create("canvas", "sm-events-canvas");
      map.getPane("smPoints").appendChild(this._canvas);
      map.on("moveend resize", this._redraw, this);
      map.on("zoomstart", this._hide, this);
      map.on("click", this._click, this);
      map.on("mousemove", this._hover, this);
      map.on("smweek", this._onWeek, this);
      var self = this;
      if (!this._ready) {
        this._ready = inflate(this._packed).then(function (d) { self._d = d; });
      }
      this._ready.then(function () { self._redraw(); });
    },
    onRemove: function (map) {
      L.DomUtil.remove(this._canvas);
      map.off("moveend resize", this._redraw, this);
      map.off("zoomstart", this._hide, this);
      map.off("click", this._click, this);
      map.off("mousemove", this._hover, this);
      map.off("smweek", this._onWeek, this);
      this._drawn = [];
    },
    _onWeek: function (e) { this._week = e.week; this._redraw(); },
    _hide: function () { if (this._canvas) { this._canvas.style.visibility = "hidden"; } },
    weekRange: function () {
      var s = this._packed.starts;
      return [s[this._week], s[this._week + 1]];
    },
    _radius: function (f) {
      var o = this._o;
      return Math.min(o.r0 + o.rk * Math.sqrt(f), o.rmax);
    },
    _redraw: function () {
      var map = this._map, d = this._d;
      if (!map || !d) { return; }
      var size = map.getSize(), ratio = window.devicePixelRatio || 1, c = this._canvas;
      var topLeft = map.containerPointToLayerPoint([0, 0]);
      L.DomUtil.setPosition(c, topLeft);
      c.width = size.x * ratio;
      c.height = size.y * ratio;
      c.style.width = size.x + "px";
      c.style.height = size.y + "px";
      c.style.visibility = "";
      var ctx = c.getContext("2d");
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      var z = map.getZoom(), scale = 256 * Math.pow(2, z);
      var origin = topLeft.add(map.getPixelOrigin());
      var range = this.weekRange(), pad = 30, inView = [];
      for (var i = range[0]; i < range[1]; i++) {
        var px = d.mx[i] * scale - origin.x, py = d.my[i] * scale - origin.y;
        if (px > -pad && py > -pad && px < size.x + pad && py < size.y + pad) { inView.push(i); }
      }
      var grouped = inView.length > GROUP_ABOVE && z < GROUP_UNTIL;
      var drawn = [], o = this._o;
      function project(j) { return [d.mx[j] * scale - origin.x, d.my[j] * scale - origin.y]; }
      var singles = inView;
      if (grouped) {
        var cells = new Map();
        singles = [];
        inView.forEach(function (j) {
          var p = project(j), key = Math.floor(p[0] / CELL) * 100000 + Math.floor(p[1] / CELL);
          var cell = cells.get(key);
          if (!cell) { cells.set(key, cell = {n: 0, x: 0, y: 0, first: j}); }
          cell.n += 1;
          cell.x += p[0];
          cell.y += p[1];
        });
        cells.forEach(function (cell) {
          if (cell.n === 1) { singles.push(cell.first); return; }
          cell.x /= cell.n;
          cell.y /= cell.n;
          cell.r = cell.n < 10 ? 11 : cell.n < 100 ? 13 : cell.n < 1000 ? 15 : 18;
          cell.cell = [Math.floor(project(cell.first)[0] / CELL), Math.floor(project(cell.first)[1] / CELL)];
        });
        singles.sort(function (a, b) { return a - b; });  /* packed order: largest first */
      }
      ctx.lineWidth = 1;
      ctx.strokeStyle = "rgba(255,255,255,0.95)";
      singles.forEach(function (j) {
        var p = project(j), r = this._radius(d.f[j]);
        ctx.beginPath();
        ctx.arc(p[0], p[1], r, 0, 2 * Math.PI);
        ctx.globalAlpha = 0.85;
        ctx.fillStyle = o.colors[d.t[j]];
        ctx.fill();
        ctx.globalAlpha = 0.95;
        ctx.stroke();
        drawn.push({x: p[0], y: p[1], r: r, i: j});
      }, this);
      ctx.globalAlpha = 1;
      if (grouped) {
        ctx.font = "700 11px 'Helvetica Neue', Arial, 'DejaVu Sans', sans-serif";
        ctx.textAlign = "center";
        ctx.textBaseline = "middle";
        cells.forEach(function (cell) {
          if (cell.n === 1) { return; }
          ctx.beginPath();
          ctx.arc(cell.x, cell.y, cell.r, 0, 2 * Math.PI);
          ctx.fillStyle = "rgba(33,37,41,0.82)";
          ctx.fill();
          ctx.lineWidth = 2;
          ctx.stroke();
          ctx.fillStyle = "#fff";
          ctx.fillText(SM.compact(cell.n), cell.x, cell.y);
          drawn.push({x: cell.x, y: cell.y, r: cell.r, group: cell});
        });
      }
      this._drawn = drawn;
      this._grouped = grouped;
      this._scale = scale;
      this._origin = origin;
      if (!window.__smFirstDraw) { window.__smFirstDraw = performance.now(); }
      map.fire("smeventsdrawn", {inView: inView.length, grouped: grouped,
                                 groups: drawn.length - singles.length});
    },
    _hit: function (point) {
      return this._hits(point)[0] || null;
    },
    _hits: function (point) {  /* everything drawn under the pointer, top first */
      var out = [];
      for (var k = this._drawn.length - 1; k >= 0; k--) {  /* last drawn is on top */
        var it = this._drawn[k], dx = point.x - it.x, dy = point.y - it.y;
        if (dx * dx + dy * dy <= (it.r + 2) * (it.r + 2)) { out.push(it); }
      }
      return out;
    },
    _hover: function (e) {
      this._map.getContainer().style.cursor = this._hit(e.containerPoint) ? "pointer" : "";
    },
    _members: function (group) {
      var d = this._d, range = this.weekRange(), out = [];
      for (var i = range[0]; i < range[1]; i++) {
        var cx = Math.floor((d.mx[i] * this._scale - this._origin.x) / CELL);
        var cy = Math.floor((d.my[i] * this._scale - this._origin.y) / CELL);
        if (cx === group.cell[0] && cy === group.cell[1]) { out.push(i); }
      }
      return out;
    },
    _click: function (e) {
      var hits = this._hits(e.containerPoint), it = hits[0];
      if (!it) { return; }
      if (it.i !== undefined) {
        /* events at the same spot (one village, many reports) are all listed */
        var here = hits.filter(function (h) {
          return h.i !== undefined && Math.abs(h.x - it.x) < 1 && Math.abs(h.y - it.y) < 1;
        }).map(function (h) { return h.i; });
        this.openPopup(it.i, here);
        return;
      }
      var members = this._members(it.group), d = this._d, bounds = L.latLngBounds([]);
      members.forEach(function (i) { bounds.extend([d.y[i] / this._packed.scale, d.lon[i]]); }, this);
      if (bounds.getNorthEast().distanceTo(bounds.getSouthWest()) > 1) {
        this._map.fitBounds(bounds.pad(0.2), {maxZoom: GROUP_UNTIL, animate: false});
      } else {
        this._map.setView(bounds.getCenter(), GROUP_UNTIL, {animate: false});
      }
    },
    latLng: function (i) {
      return L.latLng(this._d.y[i] / this._packed.scale, this._d.lon[i]);
    },
    popupHtml: function (i) {
      var d = this._d, o = this._o, m = o.text, t = d.t[i];
      function txt(key) {
        var a = d[key];
        return a && a[i] ? d.S[a[i] - 1] : "";
      }
      var where = [txt("p"), txt("r")].filter(Boolean).join(", ");
      var when = [txt("d"), where].filter(Boolean).join(" &middot; ");
      var actors = [txt("a1"), txt("a2")].filter(Boolean).join(" &ndash; ");
      var h = '<div class="sm-pop"><div class="sm-pop-type"><span class="sm-dot" style="background:' +
              o.colors[t] + '"></span>' + o.types[t] + "</div>";
      if (when) { h += '<div class="sm-pop-when">' + when + "</div>"; }
      h += "<table><tr><th>" + m.fatalities + "</th><td>" + SM.fmt(d.f[i]) + "</td></tr>";
      if (actors) { h += "<tr><th>" + m.actors + "</th><td>" + actors + "</td></tr>"; }
      if (txt("s")) { h += "<tr><th>" + m.source + "</th><td>" + txt("s") + "</td></tr>"; }
      h += "</table>";
      if (txt("n")) { h += '<p class="sm-pop-notes">' + txt("n") + "</p>"; }
      else if (!this._packed.notes) { h += '<p class="sm-pop-notes sm-note">' + m.notes_left_out + "</p>"; }
      if (d.sy ? d.sy[i] : this._packed.synthetic) {
        h += '<div class="sm-pop-flag">' + m.synthetic + "</div>";
      }
      return h + "</div>";
    },
    openPopup: function (i, all) {
      var shown = (all && all.length > 1 ? all : [i]).slice(0, 20), html;
      html = shown.map(this.popupHtml, this).join('<hr class="sm-pop-sep">');
      if (all && all.length > shown.length) {
        html += '<div class="sm-note">' + this._o.text.more.replace("{n}", SM.fmt(all.length - shown.length)) + "</div>";
      }
      if (shown.length > 1) { html = '<div class="sm-pop-list">' + html + "</div>"; }
      return L.popup({maxWidth: 340, offset: [0, -this._radius(this._d.f[i]) + 4]})
        .setLatLng(this.latLng(i)).setContent(html).openOn(this._map);
    }
  });

  SM.events = function (map, packed, o) {
    return new SM.EventLayer(packed, o);
  };
}());
