/* coursekit maps in the built book: each map's document waits in data-coursekit-srcdoc and is
   loaded when the map is about to scroll into view (or before printing), so a page's first
   load carries no Leaflet and no outlines. Without IntersectionObserver every map loads now. */
(function () {
  "use strict";
  var frames = Array.prototype.slice.call(document.querySelectorAll("iframe[data-coursekit-srcdoc]"));
  function load(frame) {
    var doc = frame.getAttribute("data-coursekit-srcdoc");
    if (doc !== null) {
      frame.removeAttribute("data-coursekit-srcdoc");
      frame.srcdoc = doc;
    }
  }
  window.addEventListener("beforeprint", function () { frames.forEach(load); });
  if (!("IntersectionObserver" in window)) { frames.forEach(load); return; }
  var watcher = new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) { watcher.unobserve(entry.target); load(entry.target); }
    });
  }, { rootMargin: "300px 0px" });
  frames.forEach(function (frame) { watcher.observe(frame); });
})();
