"""Exports in other encodings (the export_encoding var), on the real Salesforce sample.

The sample org's files get names with Windows punctuation (bytes 0x80-0x9F in
cp1252), Latin-1 letters, Korean and Japanese, written once as UTF-8 (the
baseline) and once per encoding: every file whose text the encoding can hold is
written in it, the others stay UTF-8 (a mixed export). With only export_encoding
set, each build must stage exactly the text of the UTF-8 baseline.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_build_generic import PROJECT, dbt

from themodel import load
from themodel.encoding import ExportEncodingError, guess_encoding, utf8_path

SAMPLE = PROJECT.parent / "shared" / "data" / "real_exports" / "salesforce_sample_org"

# file -> (column, data row index) -> text; each file's text fits one legacy encoding.
# Only columns that staging reads: Opportunity.csv gets the handoff note column.
EDITS = {
    "Account.csv": {  # cp1252: ’ “ ” – € are bytes 0x80-0x9F there
        ("Name", 0): "Edge Communications – “Smart” Grid’s €",
        ("Name", 1): "Burlington Textiles — Müller & Søn",
        ("Industry", 2): "Électronique",
    },
    "Lead.csv": {  # euc-kr
        ("Name", 0): "김민준",
        ("Name", 1): "이서연 (영업 이사)",
    },
    "Opportunity.csv": {  # shift_jis
        ("Handoff_Note__c", 0): "東京オフィス移転の件、見積書を送付済み",
        ("Handoff_Note__c", 1): "株式会社トヨタ・テック 追加ライセンス",
    },
}
# latin-1 has no ’ “ ” – €: its own Account names (and so its own UTF-8 baseline)
LATIN1_EDITS = {
    **EDITS,
    "Account.csv": {
        ("Name", 0): "Société Générale du Café",
        ("Name", 1): "Müller & Søn · Ñúñez",
        ("Industry", 2): "Électronique",
    },
}
# the encoding -> the file written in it that must be
ENCODINGS = {
    "cp1252": "Account.csv",
    "latin-1": "Account.csv",
    "euc-kr": "Lead.csv",
    "shift_jis": "Opportunity.csv",
    "utf-16": "Opportunity.csv",
}


def edits_for(encoding: str) -> dict:
    return LATIN1_EDITS if encoding == "latin-1" else EDITS


def edited_sample(edits: dict) -> dict[str, str]:
    """The sample with edits, as text per file name (the other files unchanged)."""
    texts = {}
    for path in sorted(SAMPLE.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        if path.name in edits:
            rows = list(csv.reader(io.StringIO(text, newline="")))
            for (column, index), value in edits[path.name].items():
                if column not in rows[0]:
                    rows = [[*row, ""] for row in rows]
                    rows[0][-1] = column
                rows[index + 1][rows[0].index(column)] = value
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            text = out.getvalue()
        texts[path.name] = text
    return texts


def write_export(folder: Path, encoding: str, edits: dict | None = None) -> list[str]:
    """The edited sample in encoding where its text fits, else UTF-8; the files in encoding."""
    folder.mkdir(parents=True)
    written = []
    for name, text in edited_sample(edits or edits_for(encoding)).items():
        try:
            data = text.encode(encoding)
            if encoding != "utf-8" and data != text.encode("utf-8"):
                written.append(name)
        except UnicodeEncodeError:
            data = text.encode("utf-8")
        (folder / name).write_bytes(data)
    return written


def build(work: Path, exports: Path, **variables: str):
    return dbt(
        ["build", "--select", "+staging", "--indirect-selection", "cautious"],
        work / "warehouse.duckdb",
        exports,
        work,
        crm_source="salesforce",
        quarantine_max_share="1",
        **variables,
    )


def staged_tables(database: Path) -> dict[str, pd.DataFrame]:
    """Every staging and quarantine table, rows in a stable order."""
    with duckdb.connect(str(database), read_only=True) as con:
        names = con.execute(
            "select table_schema || '.' || table_name from information_schema.tables"
            " where table_schema in ('staging', 'quarantine') order by 1"
        ).fetchall()
        tables = {}
        for (name,) in names:
            frame = con.execute(f"select * from {name}").df()
            tables[name] = frame.sort_values(list(frame.columns)).reset_index(drop=True)
        return tables


@pytest.fixture(scope="module")
def baselines(tmp_path_factory: pytest.TempPathFactory):
    """The staged tables of the UTF-8 original, per set of edits (built when first asked)."""
    if not SAMPLE.is_dir():
        pytest.skip(f"real export samples not found: {SAMPLE} is missing")
    built = {}

    def baseline(edits: dict) -> dict[str, pd.DataFrame]:
        key = id(edits)
        if key not in built:
            work = tmp_path_factory.mktemp("utf8")
            write_export(work / "exports", "utf-8", edits)
            result = build(work, work / "exports")
            assert result.returncode == 0, result.stdout[-5000:]
            built[key] = staged_tables(work / "warehouse.duckdb")
        return built[key]

    return baseline


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_an_export_in_another_encoding_stages_the_text_of_the_utf8_original(
    baselines, tmp_path, encoding
):
    exports = tmp_path / "exports"
    written = write_export(exports, encoding)
    assert ENCODINGS[encoding] in written
    result = build(tmp_path, exports, export_encoding=encoding)
    assert result.returncode == 0, result.stdout[-5000:]
    staged = staged_tables(tmp_path / "warehouse.duckdb")
    baseline = baselines(edits_for(encoding))
    assert staged.keys() == baseline.keys()
    for name, frame in baseline.items():
        pd.testing.assert_frame_equal(staged[name], frame, obj=name)
    # the edited text is there as written (not only equal to the baseline)
    edits = edits_for(encoding)
    accounts = set(staged["staging.stg_crm__accounts"]["account_name"])
    assert edits["Account.csv"][("Name", 0)] in accounts
    notes = set(staged["staging.stg_crm__opportunities"]["handoff_note"])
    assert EDITS["Opportunity.csv"][("Handoff_Note__c", 0)] in notes
    assert "김민준" in set(staged["staging.sf_lead"]["name"])
    # the UTF-8 copies sit beside the warehouse, one per file read that is not UTF-8
    # (the Salesforce format reads no Contact.csv)
    copies = {path.name.split(".")[0] + ".csv" for path in (tmp_path / "export_utf8").iterdir()}
    assert copies == set(written) - {"Contact.csv"}


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_without_the_var_the_stop_names_the_likely_encoding_and_the_var(tmp_path, encoding):
    if not SAMPLE.is_dir():
        pytest.skip(f"real export samples not found: {SAMPLE} is missing")
    exports = tmp_path / "exports"
    write_export(exports, encoding)
    likely = "cp1252" if encoding == "latin-1" else encoding  # the same letters
    assert guess_encoding(exports / ENCODINGS[encoding]) == likely
    if encoding != "cp1252":
        return  # one dbt run for the message is enough
    result = build(tmp_path, exports)
    assert result.returncode != 0
    message = " ".join(result.stdout.split())
    assert f"Export file {exports}/Account.csv is not UTF-8 text; it looks like cp1252" in message
    assert "Set the var export_encoding to cp1252" in message
    assert "iconv" not in message and "Invalid unicode" not in message


def test_a_latin_code_page_does_not_read_korean_text_as_accented_letters(tmp_path):
    """cp1252 decodes EUC-KR bytes without an error; the mismatch must still stop."""
    exports = tmp_path / "exports"
    write_export(exports, "euc-kr")
    with pytest.raises(ExportEncodingError, match="looks like euc-kr text, not cp1252"):
        utf8_path(exports / "Lead.csv", "cp1252", tmp_path)


def test_bytes_the_encoding_cannot_read_stop_naming_file_line_and_likely_encoding(tmp_path):
    exports = tmp_path / "exports"
    write_export(exports, "shift_jis")
    with pytest.raises(ExportEncodingError) as stopped:
        utf8_path(exports / "Opportunity.csv", "euc-kr", tmp_path)
    message = str(stopped.value)
    assert f"Export file {exports}/Opportunity.csv is not euc-kr text" in message
    assert "(line 2," in message
    assert "set the var export_encoding to shift_jis" in message


def test_a_rewritten_export_gets_a_new_copy(tmp_path):
    exports = tmp_path / "exports"
    write_export(exports, "cp1252")
    first = utf8_path(exports / "Account.csv", "cp1252", tmp_path)
    assert utf8_path(exports / "Account.csv", "cp1252", tmp_path) == first
    text = (exports / "Account.csv").read_bytes().replace(b"Grid", b"Gen\xe8ve")
    (exports / "Account.csv").write_bytes(text)
    second = utf8_path(exports / "Account.csv", "cp1252", tmp_path)
    assert second != first and not first.exists()
    assert "Genève" in second.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["cp1252", "euc-kr", "shift_jis", "utf-16"])
def test_the_loader_writes_the_same_raw_text_as_from_the_utf8_original(tmp_path, encoding):
    """themodel/load.py's conversion (what PostgreSQL's COPY and Spark's Parquet get)."""
    utf8 = tmp_path / "utf8"
    write_export(utf8, "utf-8")
    encoded = tmp_path / encoding
    written = write_export(encoded, encoding)
    with duckdb.connect() as con:
        for name in written:
            expected = load.to_text(con, utf8 / name, tmp_path / f"{name}.utf8.csv")
            got = load.to_text(con, encoded / name, tmp_path / f"{name}.csv", "csv", encoding)
            assert got == expected
            assert (tmp_path / f"{name}.csv").read_bytes() == (
                tmp_path / f"{name}.utf8.csv"
            ).read_bytes()


def test_the_loader_without_the_option_names_the_likely_encoding(tmp_path):
    exports = tmp_path / "exports"
    write_export(exports, "euc-kr")
    with duckdb.connect() as con, pytest.raises(load.LoadError) as stopped:
        load.to_text(con, exports / "Lead.csv", tmp_path / "Lead.csv")
    assert "not UTF-8 text; it looks like euc-kr" in str(stopped.value)
    assert "--export-encoding euc-kr" in str(stopped.value)


def test_the_loader_command_stops_on_an_unknown_encoding(tmp_path, capsys):
    write_export(tmp_path / "exports", "utf-8")
    assert load.main(["--exports", str(tmp_path / "exports"), "--export-encoding", "klingon"]) == 1
    assert "export_encoding 'klingon' is not a text encoding" in capsys.readouterr().err
