"""The report index links the dbt documentation (`make docs`) for analysts when it has been generated, and only then."""
from __future__ import annotations

import importlib.util
import re
from pathlib import Path

from reports.render import render_reports

FIXTURE_BUILDER = Path(__file__).parent / "fixtures" / "reports" / "build_fixture_warehouse.py"


def _fixture_warehouse(path: Path) -> Path:
    spec = importlib.util.spec_from_file_location("edukpi_docs_link_fixture_builder", FIXTURE_BUILDER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.build_fixture_warehouse(path)


def test_index_footer_links_the_dbt_docs_when_they_exist(tmp_path: Path) -> None:
    warehouse = _fixture_warehouse(tmp_path / "warehouse.duckdb")
    docs = tmp_path / "dbt_project" / "target" / "static_index.html"
    docs.parent.mkdir(parents=True)
    docs.write_text("<html>dbt docs</html>", encoding="utf-8")
    out_dir = tmp_path / "reports" / "out"

    render_reports(warehouse, out_dir, docs_html=docs)
    index = (out_dir / "index.html").read_text(encoding="utf-8")
    footer = index[index.index("<footer"):]
    (href,) = re.findall(r'<a href="([^"]+)">[^<]*tài liệu dbt', footer)
    assert not href.startswith("/") and (out_dir / href).resolve() == docs.resolve()  # relative, and it opens the docs

    docs.unlink()
    render_reports(warehouse, out_dir, docs_html=docs)
    assert "tài liệu dbt" not in (out_dir / "index.html").read_text(encoding="utf-8")
