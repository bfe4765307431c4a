from django.contrib.staticfiles.apps import StaticFilesConfig


class StaticFiles(StaticFilesConfig):
    """Collect only what a page can ask for.

    The npm packages ship sources (SCSS), other module formats and variants the pages never
    link (templates name swagger-ui-bundle.js, dkfds.min.*, htmx.min.js; the other DKFDS
    themes are not used). Collecting them
    would only cost time: the manifest storage hashes and compresses every file collected.
    """

    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "*.scss",
        "*.d.ts",
        "swagger-ui-es-bundle*",
        "swagger-ui-standalone-preset*",
        "swagger-ui.js",
        "swagger-ui.js.map",
        "index.js",
        "absolute-path.js",
        "htmx.amd.js",
        "htmx.cjs.js",
        "htmx.esm.js",
        "htmx.js",
        "ext",
        "dkfds.css",
        "dkfds.js",
        "dkfds-borgerdk*",
        "dkfds-virkdk*",
    ]
