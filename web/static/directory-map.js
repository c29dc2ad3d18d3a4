// The directory's map (web/templates/directory.html loads it only when MUTUALS_MAP_TILES
// is set): Leaflet, served from /static/leaflet/, over the tile server of that setting,
// with one point per group of /directory.geojson read with the page's own filters.
// The drawing made on the server is replaced only once the map is drawn: without script,
// or if anything here fails, the page keeps it.
// Names, places, topics and URLs come from other servers: they only ever go in as text
// (textContent) or, for a link, as an http(s) URL; never as markup.
"use strict";

(function () {
  const box = document.getElementById("directory-map");
  if (box === null || typeof L === "undefined") {
    return;
  }
  const figure = box.closest("figure");
  const labels = box.dataset;
  const HERE = "#1a5fb4";
  const ELSEWHERE = "#b34700";

  function webAddress(text) {
    try {
      const url = new URL(String(text), document.baseURI);
      return url.protocol === "https:" || url.protocol === "http:" ? url.href : null;
    } catch (error) {
      return null;
    }
  }

  function isolated(tag, text) {
    const element = document.createElement(tag);
    element.dir = "auto";
    element.textContent = String(text);
    return element;
  }

  function line(label, parts) {
    const paragraph = document.createElement("p");
    paragraph.append(label);
    for (const part of parts) {
      paragraph.append(" ", part);
    }
    return paragraph;
  }

  function popupContent(group) {
    const content = document.createElement("div");
    const name = isolated("strong", group.name || group.handle || "?");
    const href = webAddress(group.url);
    if (href === null) {
      content.append(name);
    } else {
      const link = document.createElement("a");
      link.href = href;
      link.append(name);
      content.append(link);
    }
    if (typeof group.place === "string" && group.place !== "") {
      content.append(line(labels.where, [isolated("bdi", group.place)]));
    }
    const topics = Array.isArray(group.topics) ? group.topics : [];
    if (topics.length > 0) {
      content.append(line(labels.topics, topics.map((topic) => isolated("bdi", "#" + topic))));
    }
    return content;
  }

  // Leaflet writes its attribution as markup: the setting is plain text, escaped here.
  function escaped(text) {
    const holder = document.createElement("span");
    holder.textContent = text;
    return holder.innerHTML;
  }

  function marker(feature) {
    const [longitude, latitude] = feature.geometry.coordinates;
    const group = feature.properties || {};
    return L.circleMarker([latitude, longitude], {
      radius: 8,
      color: "#fff",
      weight: 2,
      fillColor: group.local === true ? HERE : ELSEWHERE,
      fillOpacity: 1,
    }).bindPopup(popupContent(group));
  }

  function isPoint(feature) {
    const geometry = feature && feature.geometry;
    return (
      geometry &&
      geometry.type === "Point" &&
      Array.isArray(geometry.coordinates) &&
      geometry.coordinates.length >= 2 &&
      geometry.coordinates.every((value) => typeof value === "number" && isFinite(value))
    );
  }

  function draw(collection) {
    const features = (Array.isArray(collection.features) ? collection.features : []).filter(isPoint);
    if (features.length === 0) {
      return;
    }
    box.hidden = false;
    const map = L.map(box, { zoomControl: false });
    L.control.zoom({ zoomInTitle: labels.zoomIn, zoomOutTitle: labels.zoomOut }).addTo(map);
    L.tileLayer(labels.tiles, { attribution: escaped(labels.attribution), maxZoom: 19 }).addTo(map);
    const points = L.featureGroup(features.map(marker)).addTo(map);
    map.fitBounds(points.getBounds(), { padding: [40, 40], maxZoom: 13 });
    // Leaflet names its popups' close button in English.
    map.on("popupopen", (event) => {
      const close = event.popup.getElement().querySelector(".leaflet-popup-close-button");
      if (close !== null) {
        close.setAttribute("aria-label", labels.close);
        close.title = labels.close;
      }
    });
    // The drawing only: Leaflet draws its points in an svg of its own, inside the box.
    const drawing = figure.querySelector(":scope > svg");
    if (drawing !== null) {
      drawing.remove();
    }
    figure.querySelector("figcaption").textContent = labels.caption;
  }

  fetch(labels.points, { headers: { Accept: "application/geo+json" } })
    .then((response) => {
      if (!response.ok) {
        throw new Error(labels.points + " answered " + response.status);
      }
      return response.json();
    })
    .then(draw)
    .catch((error) => {
      box.hidden = true;
      console.warn("directory map: the drawing stays", error);
    });
})();
