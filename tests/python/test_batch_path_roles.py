"""process_files finds the file a node reads and the file it writes by the
roles its class declares (``input_path_param`` / ``output_path_param``, the
Python side of the plugins' RM_PARAM_INPUT_PATH / RM_PARAM_OUTPUT_PATH), not
by the names AudioFileSource / AudioFileSink: user nodes with their own
param names work in the pure-Python batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from remotemedia import Pipeline
from remotemedia.batch import output_paths, process_files
from remotemedia.core.exceptions import PipelineError
from remotemedia.core.node import Node
from remotemedia.nodes import AudioFileSink, AudioFileSource


class SizeReader(Node):
    """A source: the size of the file ``src``."""

    input_path_param = "src"

    def __init__(self, src: str, name: str | None = None, **params: Any) -> None:
        super().__init__(name=name, src=src, **params)
        self.src = src

    async def process(self, data: Any = None):
        yield Path(self.src).stat().st_size


class SizeWriter(Node):
    """A file sink: writes each number it gets as a line of ``dest``."""

    output_path_param = "dest"

    def __init__(self, dest: str, name: str | None = None, **params: Any) -> None:
        super().__init__(name=name, dest=dest, **params)
        self.dest = dest

    def process(self, data: Any) -> None:
        with open(self.dest, "a", encoding="utf-8") as f:
            f.write(f"{data}\n")


def test_the_sdk_file_nodes_declare_their_path_roles() -> None:
    assert AudioFileSource.input_path_param == "path" and AudioFileSource.output_path_param is None
    assert AudioFileSink.output_path_param == "path" and AudioFileSink.input_path_param is None
    assert Node.input_path_param is None and Node.output_path_param is None


def test_user_nodes_with_roles_run_in_the_python_batch(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"12345")
    (tmp_path / "b.txt").write_bytes(b"x" * 11)
    pipeline = Pipeline([SizeReader("placeholder.txt"), SizeWriter("placeholder.sizes")])
    results = process_files(pipeline, [tmp_path / "a.txt", tmp_path / "b.txt"], tmp_path / "out",
                            progress=False, native=False)
    assert [r.status for r in results] == ["ok", "ok"], results
    assert (tmp_path / "out" / "a.sizes").read_text() == "5\n"
    assert (tmp_path / "out" / "b.sizes").read_text() == "11\n"
    assert results[0].outputs == [str(tmp_path / "out" / "a.sizes")]


def test_output_rule_uses_the_declared_param() -> None:
    manifest = json.loads(Pipeline([SizeReader("x.txt"), SizeWriter("x.csv")]).serialize())
    assert output_paths(manifest, "/in/rec.txt", "/o") == ["/o/rec.csv"]


def test_a_pipeline_reading_no_file_is_refused_naming_the_role(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"1")
    with pytest.raises(PipelineError, match="no node that reads an input file.*input_path_param"):
        process_files(Pipeline([SizeWriter("x.sizes")]), [tmp_path / "a.txt"], tmp_path / "out",
                      progress=False, native=False)
