"""Reports in English and in Vietnamese: labels, dates and numbers follow output.language."""

import io
import json
import re
import subprocess
from pathlib import Path

import pandas as pd
import pytest

from sim.reports import i18n
from tests.helpers import command, sim_run
from tests.vi_scan import text_findings


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    """The same run (its period crosses 2 September) written in each language."""
    base = tmp_path_factory.mktemp("language")
    out = {}
    for lang in i18n.LANGUAGES:
        folder = base / lang
        done = sim_run(
            "scenario=gia_lai_rural",
            "run.start_date=2025-08-20",
            "run.days=20",
            "run.replications=2",
            "output.plots=false",
            f"output.language={lang}",
            f"hydra.run.dir={folder}",
        )
        assert done.returncode == 0, done.stderr
        out[lang] = folder
    return out


def test_english_and_vietnamese_reports_differ_only_in_words(reports):
    en = (reports["en"] / "report.html").read_text(encoding="utf-8")
    vi = (reports["vi"] / "report.html").read_text(encoding="utf-8")
    assert '<html lang="en">' in en and '<html lang="vi">' in vi
    assert "<title>gia_lai_rural với chính sách phương án cơ sở</title>" in vi
    assert "Headline figures" in en and "Chỉ tiêu chính" in vi and "Headline figures" not in vi
    # dates: 20 Aug 2025 in English, 20/08/2025 in Vietnamese
    assert "20 Aug 2025 to 08 Sep 2025 (20 days)" in en
    assert "20/08/2025 đến 08/09/2025 (20 ngày)" in vi
    # holidays named in Vietnamese, with the weekday
    assert "Thứ Ba 02/09/2025" in vi and "Quốc khánh" in vi
    # numbers: 1,234.5 in English, 1.234,5 in Vietnamese; the same figures
    summary = json.loads((reports["en"] / "summary.json").read_text())
    received = summary["dossiers_created"]
    assert received > 1000
    en_text = f"{received:,.1f}" if not float(received).is_integer() else f"{received:,.0f}"
    vi_text = en_text.replace(",", "_").replace(".", ",").replace("_", ".")
    assert f'<div class="v">{en_text}</div>' in en
    assert f'<div class="v">{vi_text}</div>' in vi
    assert re.search(r"KTC 95%: [\d.,]+ đến [\d.,]+", vi)
    # field and commune names: translated fields, display names with diacritics in both
    assert "<td>đất đai</td>" in vi and "<td>land</td>" in en
    assert "<td>Phú Thiện</td>" in vi and "<td>Phú Thiện</td>" in en
    # the numbers themselves do not depend on the language
    vi_summary = json.loads((reports["vi"] / "summary.json").read_text())
    assert vi_summary["by_commune"] == summary["by_commune"]


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    """A two-policy sweep and a failed job, as sim.analysis finds them."""
    sweep = tmp_path_factory.mktemp("study")
    quiet = ["run.days=6", "run.replications=3", "output.report=false", "output.plots=false"]
    for policy in ("baseline", "second_staff"):
        folder = sweep / policy
        done = sim_run(*quiet, f"policy=[{policy}]", f"hydra.run.dir={folder}")
        assert done.returncode == 0, done.stderr
    broken = sweep / "training"
    broken.mkdir()
    (broken / "summary.json").write_text(json.dumps({"status": "error", "error": "boom"}))
    return sweep


def test_study_report_in_vietnamese_through_sim_analysis(study):
    def analysis(*args: str) -> subprocess.CompletedProcess:
        done = command("sim.analysis", str(study), *args)
        assert done.returncode == 0, done.stderr
        return done

    printed = analysis("--all", "output.language=vi").stdout  # as the other commands take it
    vi = (study / "report.html").read_text(encoding="utf-8")
    assert '<html lang="vi">' in vi
    assert f"Nghiên cứu {study.name}: so sánh chính sách" in vi
    assert "Thay đổi so với phương án cơ sở" in vi and "Phương án chạy lỗi" in vi
    assert "Mean over replications" not in vi
    # the printed lines too: the policies, the figure, the failed job in Vietnamese
    assert "đã so sánh 2 phương án, 1 phương án lỗi" in printed, printed
    assert "biệt phái cán bộ tỉnh: hồ sơ quá hạn " in printed and "LỖI training: boom" in printed
    assert "overdue dossiers" not in printed and "second_staff" not in printed
    # a job folder's name and a job's own error text are shown as they are
    assert not text_findings(printed, {study.name, "training", "boom"})["english"], printed
    # the study's jobs ran in English: without output.language the analysis says so too
    english = analysis().stdout
    assert "2 job(s) compared, 1 failed" in english and "second staff: overdue" in english


def test_a_study_figures_words_are_in_the_reports_language(study, monkeypatch):
    """Every text of a study's figures (titles, axes, legends, ticks, colour bar) comes
    from the catalogue: in Vietnamese, no English word and no text without its entry."""
    from matplotlib.text import Text

    from sim.reports import study_plots
    from sim.studies.analysis import analyse

    drawn = {}

    def keep_words(fig, path):
        drawn[Path(path).name] = [t.get_text() for t in fig.findobj(Text) if t.get_text()]

    monkeypatch.setattr(study_plots, "save_png", keep_words)
    i18n.MISSING.clear()
    analyse(study, language="vi", out=io.StringIO())
    assert not i18n.MISSING, sorted(i18n.MISSING)
    assert set(drawn) == {"backlog_trajectories.png", "on_time_rate.png", "overdue_heatmap.png"}
    words = "\n".join(w for texts in drawn.values() for w in texts)
    assert "tỷ lệ đúng hạn (%), KTC 95%" in words and "biệt phái cán bộ tỉnh" in words
    found = text_findings(words, {study.name})  # English words, keys, dates as 2025-07-01
    assert not any(found.values()), found


def test_every_report_text_has_a_vietnamese_translation(reports, study, tmp_path):
    """Rendering the run and the study report in Vietnamese finds every text translated."""
    from sim.reports.run_report import write_run_report
    from sim.studies.analysis import analyse

    i18n.MISSING.clear()
    analyse(study, language="vi")
    summary = json.loads((reports["vi"] / "summary.json").read_text())
    daily = pd.read_csv(reports["vi"] / "daily.csv")
    calendar = {"kind": "working", "holidays_country": "VN"}
    write_run_report(tmp_path, summary, daily, calendar_spec=calendar, lang="vi")
    assert "Quốc khánh" in (tmp_path / "report.html").read_text(encoding="utf-8")
    assert not i18n.MISSING, sorted(i18n.MISSING)


def test_every_summary_figure_has_vietnamese_words():
    """A new Figure(...) line needs its label, unit and column name in the catalogue."""
    from sim.core.summary import FIGURES
    from sim.reports.figure_text import label, short, unit

    words = i18n.catalogue()["vi"]
    missing = [w for f in FIGURES for w in (label(f), unit(f), short(f)) if w not in words]
    assert not missing, f"add to sim/reports/translations.yaml: {missing}"


def test_unknown_language_is_refused(tmp_path):
    done = sim_run("run.days=2", "output.language=fr", f"hydra.run.dir={tmp_path}")
    assert done.returncode == 2
    assert "output.language = 'fr'" in done.stderr and "en, vi" in done.stderr


def test_sensitivity_optimize_and_capacity_text_has_vietnamese_entries(tmp_path):
    """The reports of sim.sensitivity and sim.optimize and the run report's capacity
    section, rendered in Vietnamese from tables of their shape, find every text."""
    from matplotlib.figure import Figure

    from sim.reports.capacity_report import capacity_html, growing_warning_html
    from sim.reports.optimize_report import optimize_report_html
    from sim.reports.sensitivity_report import top_sentences, write_report

    table = pd.DataFrame(
        [("overdue_dossiers", "communes.*.clerks.*.count@scale", "staffing", 40.0, 5.0, 9.0),
         ("overdue_dossiers", "staff.absence_probability", "staffing", 12.0, 3.0, 2.0),
         ("on_time_rate", "demand.lunar_new_year.surge_factor", "calendar", 0.0, 0.1, 0.0)],
        columns=["output", "parameter", "category", "mu_star", "mu_star_conf", "sigma"],
    )  # fmt: skip
    capacity = pd.DataFrame(
        [("phu_thien", "land", 30.0, 20.0, 1.5, "growing", None, "2025-08", 1.7)],
        columns=["commune", "field", "demand_hours_per_day", "capacity_hours_per_day", "load",
                 "verdict", "days_to_clear", "busiest_month", "busiest_month_load"],
    )  # fmt: skip
    result = {
        "scenario": "gia_lai_rural", "objective": "overdue_dossiers", "days": 92,
        "budget_vnd": 1e8, "max_staff": None, "levers": ["second_staff"], "trials": 5,
        "final_replications": 3, "communes": ["phu_thien"], "tied": ["finalist_1", "greedy"],
        "best": {"objective_mean": 5.0, "objective_ci95": [4, 6], "cost_vnd": 1e7, "staff": 2},
        "baselines": {"none": {"objective_mean": 9.0, "objective_ci95": [8, 10],
                               "cost_vnd": 0, "staff": 0}},
        "gain": {"over": "equal_split", "mean": 1.0, "ci95": [0.5, 1.5]},
        "display_names": {"phu_thien": "Phú Thiện"},
    }  # fmt: skip
    rows = [{"commune": "phu_thien", "lever": "second_staff", "field": "land", "amount": 2,
             "cost_vnd": 1e7}]  # fmt: skip
    settings = {"days": 92, "start_date": "2025-07-01", "samples": 4, "replications": 1,
                "workers": 1, "screening_samples": 2, "keep_fraction": 0.1,
                "keep_top": 2}  # fmt: skip
    i18n.MISSING.clear()
    with i18n.language("vi"):
        sentences = top_sentences(table, "morris", {"overdue_dossiers": 190.0})
        write_report(tmp_path / "s.md", scenario="mmc", policies=["baseline"], method="sobol",
                     settings=settings, table=table.assign(S1=0.1, S1_conf=0.1, ST=0.2,
                     ST_conf=0.1), screening=table, kept=["staff.absence_probability"], runs=8,
                     seconds=3.0, noise={"overdue_dossiers": 1.0}, not_sampled=[],
                     factors=3, sentences=sentences)  # fmt: skip
        html = capacity_html(capacity, {"phu_thien": "Phú Thiện"})
        html += growing_warning_html(capacity, {"phu_thien": "Phú Thiện"})
        html += optimize_report_html(result, rows, Figure())
    assert not i18n.MISSING, sorted(i18n.MISSING)
    assert sentences[0].startswith("Số cán bộ ảnh hưởng nhiều nhất đến")
    assert "08/2025" in html and "tăng dần" in html and "Phú Thiện" in html
    assert "phu_thien" not in html


def test_every_reason_for_a_fixed_assumption_has_its_vietnamese_entry():
    """sensitivity.md lists the assumptions held fixed with their reason (configs'
    ``not_sampled``): a new reason needs its entry in the catalogue."""
    import yaml

    from sim.spec.paths import CONFIG_DIR

    words = i18n.catalogue()["vi"]
    reasons = {
        entry["reason"]
        for path in sorted((Path(CONFIG_DIR) / "uncertainty").glob("*.yaml"))
        for entry in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("not_sampled")
        or []
    }
    assert len(reasons) >= 10
    missing = sorted(r for r in reasons if r not in words)
    assert not missing, f"add to sim/reports/translations.yaml: {missing}"


def test_every_study_question_has_its_vietnamese_paragraph():
    """A study report shows its question (experiments/NAME/README.md): in Vietnamese the
    README's "**Câu hỏi.**" paragraph; a study without one fails here."""
    from sim.reports.study_report import experiment_question
    from sim.spec.paths import EXPERIMENTS

    names = sorted(p.parent.name for p in Path(EXPERIMENTS).glob("*/README.md"))
    assert len(names) >= 5
    i18n.MISSING.clear()
    for name in names:
        english = experiment_question(name)
        vietnamese = experiment_question(name, lang="vi")
        assert english and vietnamese and vietnamese != english, name
        assert "Câu hỏi" not in vietnamese and "Question" not in vietnamese
    assert not i18n.MISSING, sorted(i18n.MISSING)


def test_a_study_question_without_its_translation_is_reported_missing(tmp_path):
    from sim.reports.study_report import experiment_question

    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "README.md").write_text("# Mine\n\n**Question.** Does it help?\n")
    i18n.MISSING.clear()
    assert experiment_question("mine", tmp_path, lang="vi") == "Does it help?"
    assert ("vi", "Does it help?") in i18n.MISSING
    i18n.MISSING.clear()


def test_notes_made_below_the_reports_are_said_in_vietnamese():
    """Text the forecasting layer writes with its values in it (the backtest plan's notes,
    where the open dossiers came from, the spin-up) is matched to the catalogue's
    templates: a new wording there fails here instead of staying English."""
    import datetime as dt

    from sim.forecasting.backtest import plan
    from sim.reports.forecast_report import _source
    from sim.reports.trust_text import reason_text

    days = [dt.date(2025, 7, 1) + dt.timedelta(days=i) for i in range(40)]
    notes = [plan(days[:16], 28, 5)["note"], plan(days, 28, 5)["note"]]
    assert all(notes) and "; " in notes[1]  # too short; shortened and few origins
    i18n.MISSING.clear()
    with i18n.language("vi"):
        said = [reason_text({"code": "short", "note": note}) for note in notes]
        spun = _source("rebuilt 14 days before the history's end; the runs live through them")
        logged = _source("so_theo_doi.xlsx: open at its last date")
    assert not i18n.MISSING, sorted(i18n.MISSING)
    assert "lịch sử 16 ngày" in said[0] and "kỳ dự báo rút ngắn" in said[1]
    assert spun.startswith("dựng lại 14 ngày") and logged.startswith("so_theo_doi.xlsx: đang mở")


def test_the_optimize_notes_are_said_in_the_reports_language():
    """sim.optimize makes its notes before it knows what it writes: they keep their
    template, so the report (and the terminal) say them in output.language."""
    from sim.optimize.app import field_notes

    def field(late, open_):
        return {"dossiers_late": late, "overdue_open": open_}

    baseline = {"by_field": {"land": field(5, 2), "civil_status": field(400, 120)}}
    (note,) = field_notes(baseline, ["land"])
    assert "optimize.fields = [land] holds 7 of the 527" in note  # English as it was
    i18n.MISSING.clear()
    with i18n.language("vi"):
        said = i18n.t(note)
    assert not i18n.MISSING, sorted(i18n.MISSING)
    assert said.startswith("Các lĩnh vực được xét (đất đai) chỉ có 7 trong 527")
    assert "hộ tịch (520)" in said and "optimize.fields=[civil_status]" in said
