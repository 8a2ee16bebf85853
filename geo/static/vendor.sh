#!/usr/bin/env bash
# Re-create the vendored web assets of geo/static from the npm registry (and folium's sdist on
# PyPI for one CSS file that folium's wheel does not ship). Run from anywhere:
#     bash geo/static/vendor.sh
# Versions are the ones folium 0.20.0 references (folium.folium._default_js/_default_css and
# folium.plugins.Fullscreen). Source maps, sources, examples and the .ttf fallbacks of the
# Font Awesome fonts are left out (every browser that runs Leaflet 1.9 reads woff2).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"

npm pack -q leaflet@1.9.3 jquery@3.7.1 bootstrap@5.2.2 @fortawesome/fontawesome-free@6.2.0 \
    drmonty-leaflet-awesome-markers@2.0.2 leaflet.awesome-markers@2.0.4 leaflet.fullscreen@3.0.0 >/dev/null
python -m pip download -q --no-deps --no-binary :all: folium==0.20.0 -d . >/dev/null
for f in *.tgz *.tar.gz; do d="${f%.tgz}"; d="${d%.tar.gz}"; mkdir -p "$d"; tar xzf "$f" -C "$d"; done
sha256sum *.tgz *.tar.gz > checksums.txt

# strip the trailing "sourceMappingURL" comment (the .map files are not shipped)
nomap() { sed '/sourceMappingURL=/d' "$1" > "$2"; }

out="$here"
rm -rf "$out"/leaflet-1.9.3 "$out"/jquery-3.7.1 "$out"/bootstrap-5.2.2 "$out"/fontawesome-free-6.2.0 \
    "$out"/leaflet.awesome-markers-2.0.2 "$out"/leaflet.fullscreen-3.0.0 "$out"/folium-0.20.0

d="$out/leaflet-1.9.3"; mkdir -p "$d/images"
nomap leaflet-1.9.3/package/dist/leaflet.js "$d/leaflet.js"
cp leaflet-1.9.3/package/dist/leaflet.css leaflet-1.9.3/package/LICENSE "$d/"
cp leaflet-1.9.3/package/dist/images/*.png "$d/images/"

d="$out/jquery-3.7.1"; mkdir -p "$d"
cp jquery-3.7.1/package/dist/jquery.min.js jquery-3.7.1/package/LICENSE.txt "$d/"

d="$out/bootstrap-5.2.2"; mkdir -p "$d"
nomap bootstrap-5.2.2/package/dist/js/bootstrap.bundle.min.js "$d/bootstrap.bundle.min.js"
nomap bootstrap-5.2.2/package/dist/css/bootstrap.min.css "$d/bootstrap.min.css"
cp bootstrap-5.2.2/package/LICENSE "$d/"

d="$out/fontawesome-free-6.2.0"; mkdir -p "$d/css" "$d/webfonts"
# keep the woff2 source of each @font-face, drop the .ttf fallback
sed -E 's/,url\(\.\.\/webfonts\/[a-z0-9-]+\.ttf\) format\("truetype"\)//g' \
    fortawesome-fontawesome-free-6.2.0/package/css/all.min.css > "$d/css/all.min.css"
cp fortawesome-fontawesome-free-6.2.0/package/webfonts/*.woff2 "$d/webfonts/"
cp fortawesome-fontawesome-free-6.2.0/package/LICENSE.txt "$d/"

# Leaflet.awesome-markers 2.0.2 (the release folium links on cdnjs) is on npm only as the
# drmonty-leaflet-awesome-markers repackaging; its LICENSE text comes from the upstream package.
d="$out/leaflet.awesome-markers-2.0.2"; mkdir -p "$d/images"
cp drmonty-leaflet-awesome-markers-2.0.2/package/js/leaflet.awesome-markers.js "$d/"
cp drmonty-leaflet-awesome-markers-2.0.2/package/css/leaflet.awesome-markers.css "$d/"
for i in markers-soft.png markers-soft@2x.png markers-shadow.png markers-shadow@2x.png; do
    cp "drmonty-leaflet-awesome-markers-2.0.2/package/css/images/$i" "$d/images/"
done
cp leaflet.awesome-markers-2.0.4/package/LICENSE "$d/"

d="$out/leaflet.fullscreen-3.0.0"; mkdir -p "$d"
cp leaflet.fullscreen-3.0.0/package/{Control.FullScreen.js,Control.FullScreen.css,icon-fullscreen.svg,LICENSE} "$d/"

d="$out/folium-0.20.0"; mkdir -p "$d"
# whitespace-only minification of folium's rotate classes (40 kB -> 30 kB)
sed -E 's/^[[:space:]]+//; s/; /;/g' folium-0.20.0/folium-0.20.0/folium/templates/leaflet.awesome.rotate.css \
    > "$d/leaflet.awesome.rotate.css"
cp folium-0.20.0/folium-0.20.0/LICENSE.txt "$d/"

cp checksums.txt "$out/checksums.txt"
echo "vendored into $out"; du -sh "$out"
