"""Maps of the course datasets: installations, memberships, events and routes.

Every function returns a :class:`CourseMap`. In a notebook it shows as the interactive
Leaflet map (an ``<iframe>`` with a ``title``) followed by a text alternative built from the
same rows (a collapsible table); ``.folium`` is the raw :class:`folium.Map`, ``.table`` the
rows as a :class:`pandas.DataFrame` and ``str(course_map)`` the plain-text alternative.

Every map draws the country outlines of ``data/boundaries.geojson`` (Natural Earth), so it is
legible without map tiles; OpenStreetMap tiles are the only network resource. Maps use only
Leaflet and jQuery (no Bootstrap or icon fonts). In a notebook a map is self-contained: Leaflet,
jQuery (from ``vendor/``) and the outlines are inlined, so it works offline in Jupyter or Colab.
In the built book (``coursekit.sphinxext`` sets up ``_book``) every map of a page loads one
shared copy of each instead, and only when it is scrolled to (``_assets``, ``_book``).

The output is deterministic: element ids derive from the map's name and arguments, so the same
call gives byte-identical HTML.

The modules, by concern: ``_result`` (CourseMap), ``_folium`` (folium integration, stable
ids), ``_assets`` (inlined or shared files), ``_book`` (the book's rewrite and lazy loading),
``_draw`` (outlines, legends, symbols), ``_places`` (datasets, boundaries, routes.yml),
``_values`` (argument checks, dates, citations), and one module per map kind
(``_installations``, ``_memberships``, ``_events``, ``_route``).
"""

from __future__ import annotations

from coursekit.maps._draw import OUTLINE as OUTLINE
from coursekit.maps._draw import PALETTE as PALETTE
from coursekit.maps._draw import RUSSIA_COLOUR as RUSSIA_COLOUR
from coursekit.maps._draw import SHAPES as SHAPES
from coursekit.maps._events import events_map
from coursekit.maps._folium import JQUERY_JS as JQUERY_JS
from coursekit.maps._folium import LEAFLET_CSS as LEAFLET_CSS
from coursekit.maps._folium import LEAFLET_JS as LEAFLET_JS
from coursekit.maps._folium import MapInputError
from coursekit.maps._installations import installations_map
from coursekit.maps._memberships import membership_map, membership_maps
from coursekit.maps._places import boundaries, routes
from coursekit.maps._result import HEIGHT as HEIGHT
from coursekit.maps._result import CourseMap, CourseMapGrid
from coursekit.maps._route import route_map

# The public names, as before the split; the constants above stay importable as attributes.
__all__ = [
    "CourseMap",
    "CourseMapGrid",
    "MapInputError",
    "boundaries",
    "events_map",
    "installations_map",
    "membership_map",
    "membership_maps",
    "route_map",
    "routes",
]
