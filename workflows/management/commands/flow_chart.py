from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from workflows.chart import flow_chart_dot, render_svg
from workflows.engine import FLOWS


class Command(BaseCommand):
    help = "Write a flow's chart (DOT and SVG), generated from the flow's code."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--flow", choices=sorted(FLOWS), default="application", help="which registered flow"
        )
        parser.add_argument("--dot", type=Path, help="write the DOT text here")
        parser.add_argument("--svg", type=Path, help="render with Graphviz and write the SVG here")

    def handle(
        self, *args: Any, flow: str, dot: Path | None, svg: Path | None, **options: Any
    ) -> None:
        text = flow_chart_dot(FLOWS[flow])
        if dot:
            dot.parent.mkdir(parents=True, exist_ok=True)
            dot.write_text(text)
        if svg:
            svg.parent.mkdir(parents=True, exist_ok=True)
            svg.write_text(render_svg(text))
        if not dot and not svg:
            self.stdout.write(text)
