"""Every model family: point sets against the doc, modules, SUB and quirks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
import itertools
import re

import pytest

from dyness_sim import ALL_MODELS, SimClock, Simulator
from dyness_sim.catalog import MODELS
from dyness_sim.families import LV_MODULE
from dyness_sim.scenarios import collector_of, resolve

from .helpers import points
from .test_families import DOC, EXPECTED_A

START = datetime(2026, 6, 21, 10, 2, 30, tzinfo=UTC)

# Point sets transcribed from doc §8.2-§8.7 (independently of families.py).
META = {"T", "SUB", "TIME"}
FAMILY_A = set(EXPECTED_A)
COUNTERS_7100_7400 = {"7100", "7200", "7300", "7400"}
JUNIOR_BOX = {str(n) for n in range(4400, 9700, 100)} - {"6800"} | {"999999"}
TOWER = (
    META
    | {"10", "20", "30", "40", "50"}
    | {str(n) for n in range(1000, 4400, 100)} - {"3600", "4200"}
)
T14_ALARMS = {"5001", "5002", "5003", "5101", "5102", "5104", "9999999"}
TP7_REGISTERS = {str(4400 + 100 * r + k) for r in range(6) for k in range(9)}
HV_CELLS = {str(11200 + 100 * n) for n in range(30)}
LV_CELLS = {str(10300 + 100 * n) for n in range(16)}
T14_BOX = {"T", "11000", "11100", "14300", "14400"} | HV_CELLS
TP7_BOX = (
    {"T", "10010", "11000", "11100", "14200"}
    | HV_CELLS
    | {str(14300 + 100 * k) for k in range(8)}
)
STACK_BOX = (
    {"T", "10010", "11000", "11100"} | HV_CELLS | {"14300", "14400", "14500", "14600"}
)
BRICK = (
    META
    | {"10001", "10100"}
    | LV_CELLS
    | {"12400", "12500", "12600", "12700", "12800", "13400", "13500", "13600"}
    | {"13800", "13900", "14000", "14100", "18400", "18600", "18700", "18800"}
    | {"19200", "23800"}
)
CYGNI = (
    META
    | {"164", "165", "166", "170", "171", "172", "173"}
    | {
        "2003",
        "2004",
        "2005",
        "2010",
        "2011",
    }
)
LV = {row.point_id for row in LV_MODULE}

# key: (code, family, suffix, modules, master ids, module ids or None = unreachable)
EXPECTED: dict[str, tuple[int, str, str, int, set[str], set[str] | None]] = {
    "PowerHaus": (145, "A", "-BMS", 1, FAMILY_A, LV),
    "DL5.0C": (15, "A", "-BMS", 3, FAMILY_A | COUNTERS_7100_7400, LV),
    "PowerBox Pro": (16, "A", "-BMS", 1, FAMILY_A, LV),
    "PowerDepot G2": (144, "A", "-BMS", 3, FAMILY_A, LV),
    "Junior Box": (1, "A", "-BMS", 2, FAMILY_A | JUNIOR_BOX, LV),
    "PowerBox G2 variant A": (42, "A", "-BMS", 2, FAMILY_A, LV),
    "PowerBox G2 variant B": (42, "C", "-BMS", 2, BRICK, LV),
    "PowerBrick variant A": (43, "A", "-BMS", 2, FAMILY_A, LV),
    "PowerBrick variant B": (43, "C", "-BMS", 2, BRICK, LV),
    "PowerBrick SC": (226, "C", "-BMS", 1, BRICK, LV),
    "PowerBrick Plus": (328, "C", "-BMS", 1, BRICK, LV),
    "Tower T14": (25, "B", "-BDU", 2, TOWER | T14_ALARMS, T14_BOX),
    "Tower T21": (27, "B", "-BDU", 3, TOWER | T14_ALARMS, None),
    "Tower Pro TP7": (7, "B", "-BDU", 2, TOWER | TP7_REGISTERS, TP7_BOX),
    "STACK100-7S": (50, "B", "-BDU", 7, TOWER | {"9999999"}, STACK_BOX),
    "Cygni 10.0HS-M8": (192, "CYGNI", "-INV", 2, CYGNI, None),
}


def _sim(key: str, **options: object) -> Simulator:
    """Return an unstarted single-model simulator on the fixed clock."""
    return Simulator.single(key, clock=SimClock.fixed(START), **options)  # type: ignore[arg-type]


def _values(sim: Simulator, serial: str) -> dict[str, str]:
    """Return id -> value of a serial now."""
    return points(sim.device(serial).points(serial, sim.clock.now()))


def test_all_models_listed() -> None:
    """ALL_MODELS is the catalogue, and every entry has an expectation here."""
    assert set(ALL_MODELS) == set(EXPECTED) == set(MODELS)
    assert len(ALL_MODELS) == len(set(ALL_MODELS))


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_point_sets_match_doc(key: str) -> None:
    """Master and module answer exactly the documented ids; identity per §11.1."""
    code, family, suffix, modules, master_ids, module_ids = EXPECTED[key]
    sim = _sim(key)
    battery = sim.batteries[0]
    assert (battery.model_code, battery.spec.family) == (code, family)
    assert battery.device_sn == collector_of(key) + suffix
    assert len(battery.module_sns) == modules
    data = battery.points(battery.device_sn, sim.clock.now())
    ids = [item["pointId"] for item in data]
    assert len(ids) == len(set(ids))
    assert set(ids) == master_ids
    assert all(
        isinstance(item["pointNameCn"], str) and item["pointNameCn"] for item in data
    )
    assert all(item["flag"] is False for item in data)
    for serial in battery.module_sns:
        module = battery.points(serial, sim.clock.now())
        if module_ids is None:
            assert module == []
        else:
            assert {item["pointId"] for item in module} == module_ids


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_values_are_strings_and_plausible(key: str) -> None:
    """Every value is a string (SUB may be null); SOC, voltage and temps are sane."""
    sim = _sim(key)
    battery = sim.batteries[0]
    for _ in range(24):
        sim.clock.advance(timedelta(hours=1))
        values = _values(sim, battery.device_sn)
        for point, value in values.items():
            assert isinstance(value, str) or (point == "SUB" and value is None)
        family = battery.spec.family
        soc_point, volt_point = {
            "A": ("800", "600"),
            "B": ("1400", "1100"),
            "C": ("23800", "13500"),
            "CYGNI": ("2010", "170"),
        }[family]
        if family == "C":
            assert values[soc_point] == ""
        else:
            assert 0 <= int(values[soc_point]) <= 100
        pack_cells = battery.pack_cells
        assert 3.0 * pack_cells <= float(values[volt_point]) <= 3.65 * pack_cells


def test_family_b_labels_match_doc_file() -> None:
    """The tower labels of 10-2700 are the ones #1 posted (doc §8.4)."""
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index("### 8.4") : text.index("### 8.5")]
    battery = _sim("Tower T14").batteries[0]
    mine = {row.point_id: row.label for row in battery.master_rows}
    checked = 0
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"\d{2,4}", cells[0]):
            label = cells[1].split(" — ")[0]
            if int(cells[0]) <= 2700:
                assert mine[cells[0]] == label, cells[0]
                checked += 1
    assert checked >= 18
    assert mine["2000"] == "建议充电电流"
    assert mine["2300"] == "负极绝缘电阻值"


def test_single_resolves_names_and_is_deterministic() -> None:
    """A plain name means variant A; serials and data repeat run after run."""
    first = _sim("PowerBox G2")
    assert first.batteries[0].spec.key == "PowerBox G2 variant A"
    second = _sim("PowerBox G2 variant A")
    assert first.batteries[0].serials == second.batteries[0].serials
    assert _values(first, first.batteries[0].device_sn) == _values(
        second, second.batteries[0].device_sn
    )
    assert resolve("STACK100-7S").code == 50
    with pytest.raises(KeyError, match="unknown model"):
        Simulator.single("PowerWall")
    with pytest.raises(ValueError, match="module"):
        Simulator.single("DL5.0C", modules=0)
    other = _sim("DL5.0C", seed=7)
    base = _sim("DL5.0C")
    assert other.batteries[0].serials == base.batteries[0].serials
    assert other.batteries[0].seed != base.batteries[0].seed


def test_single_account_layout_and_options() -> None:
    """The default key holds exactly one battery; options reach battery and sim."""
    from dyness_sim.accounts import DEFAULT_APP_ID, EMPTY_APP_ID

    sim = _sim("DL5.0C", modules=6, bms_entry=True, initial_soc=20.0, per_hour=None)
    assert [b.model_name for b in sim.account(DEFAULT_APP_ID).devices] == ["DL5.0C"]
    assert sim.account(EMPTY_APP_ID).devices == []
    battery = sim.batteries[0]
    assert len(battery.module_sns) == 6
    assert battery.bms_entry
    assert battery.initial_soc == 20.0
    assert sim.limiter.per_hour is None
    assert all(len(sn) == 16 and sn.isdigit() for sn in battery.module_sns)


def test_showroom_has_every_model_once() -> None:
    """The showroom key holds one battery of each model, with distinct serials."""
    from dyness_sim.accounts import DEFAULT_APP_ID

    sim = Simulator.showroom(clock=SimClock.fixed(START))
    devices = sim.account(DEFAULT_APP_ID).devices
    assert [b.spec.key for b in devices] == list(ALL_MODELS)
    serials = [sn for b in devices for sn in b.serials]
    assert len(serials) == len(set(serials))
    stack = sim.device(collector_of("STACK100-7S") + "-BDU")
    assert len(stack.module_sns) == 9
    assert Simulator.showroom(clock=SimClock.fixed(START), seed=1).batteries[
        0
    ].seed != (devices[0].seed)


def test_module_serial_shapes() -> None:
    """Module SNs look like the doc's (§5.1)."""
    shapes = {
        "PowerHaus": r"l3\d{14}",
        "DL5.0C": r"0106\d{12}",
        "PowerDepot G2": r"0602\d{12}",
        "Junior Box": r"0502\d{12}",
        "PowerBrick SC": r"\d{17}",
        "STACK100-7S": r"\d{16}",
        "Tower T14": re.escape(collector_of("Tower T14")) + r"-BDU-0[12]",
    }
    for key, pattern in shapes.items():
        for serial in _sim(key).batteries[0].module_sns:
            assert re.fullmatch(pattern, serial), (key, serial)
    assert re.fullmatch(r"R07E[0-9A-F]{12}", collector_of("Tower T14"))


def test_tower_sub_and_boxes() -> None:
    """T14: SUB lists -BDU-01/-02; boxes carry 30 cells and 2 temps, no SOC."""
    sim = _sim("Tower T14")
    battery = sim.batteries[0]
    master = _values(sim, battery.device_sn)
    dongle = battery.collector_sn
    assert master["SUB"] == f"{dongle}-BDU-01,{dongle}-BDU-02"
    boxes = [_values(sim, sn) for sn in battery.module_sns]
    cells = [float(box[str(11200 + 100 * n)]) for box in boxes for n in range(30)]
    assert [box["11000"] for box in boxes] == ["1", "2"]
    assert all(box["11100"] == "30" for box in boxes)
    assert float(master["2400"]) == max(cells)
    assert float(master["2700"]) == min(cells)
    assert master["2600"] == "1"
    assert master["4100"] == "30"
    assert master["4300"] == "2"
    assert float(master["1100"]) == pytest.approx(sum(cells), abs=0.1)
    assert (master["2200"], master["2300"]) == ("", "")
    assert float(master["1700"]) == pytest.approx(14.2)
    assert float(master["1600"]) == pytest.approx(
        14.2 * battery.latest_sample(sim.clock.now()).soc / 100,
        abs=0.01,  # type: ignore[union-attr]
    )
    for box in boxes:
        assert "1400" not in box
        assert 5.0 < float(box["14300"]) < 45.0


def test_tp7_boxes_and_alarm_registers() -> None:
    """TP7 boxes carry a sub-SN and 8 temperatures; register bits follow their byte."""
    sim = _sim("Tower Pro TP7")
    battery = sim.batteries[0]
    box = _values(sim, battery.module_sns[0])
    assert box["10010"].startswith("HV9637")
    assert box["14200"] == "8"
    assert all(box[str(14300 + 100 * k)] for k in range(8))
    sim.set_point(battery.device_sn, "4402", "1")
    master = _values(sim, battery.device_sn)
    assert int(master["4400"]) & 2
    assert master["4402"] == "1"


def test_stack100_placeholders_and_capacity() -> None:
    """Stack100 modules: 16 real cells, 17-30 "0.0"; 1700 beats station/info."""
    sim = _sim("STACK100-7S", modules=9)
    battery = sim.batteries[0]
    module = _values(sim, battery.module_sns[0])
    assert module["10010"] == battery.module_sns[0]
    assert module["11100"] == "16"
    assert all(3.0 < float(module[str(11200 + 100 * n)]) < 3.65 for n in range(16))
    assert all(module[str(11200 + 100 * n)] == "0.0" for n in range(16, 30))
    master = _values(sim, battery.device_sn)
    assert float(master["1700"]) == pytest.approx(9 * 5.12)
    assert master["4100"] == "16"
    assert master["4300"] == "9"


def test_family_c_master_and_soc_only_in_power_records() -> None:
    """PowerBrick SC: module points on the master, 23800 "", soc in the records."""
    sim = _sim("PowerBrick SC")
    battery = sim.batteries[0]
    sim.clock.set(datetime(2026, 6, 22, 9, 0, tzinfo=UTC))
    master = _values(sim, battery.device_sn)
    module = _values(sim, battery.module_sns[0])
    assert master["23800"] == ""
    assert "600" not in master
    assert "800" not in master
    for n in range(16):
        point = str(10300 + 100 * n)
        assert master[point] == module[point]
    assert re.fullmatch(r"\d{17}", master["10001"])
    sample = battery.latest_sample(sim.clock.now())
    assert sample is not None
    assert float(master["13600"]) == pytest.approx(10.24 * sample.soc / 100, abs=0.01)
    assert master["13800"] == "10.24"
    assert float(master["14000"]) == pytest.approx(200 * sample.soc / 100, abs=0.1)
    records = battery.power_records(sim.clock.now())
    filled = [r for r in records if r["realTimePower"] is not None]
    assert filled
    assert all(0 <= int(str(r["soc"])) <= 100 for r in filled)


def test_powerbox_g2_variants() -> None:
    """Variant A has 600 filled; variant B has no 600 (family C layout)."""
    a = _sim("PowerBox G2 variant A")
    b = _sim("PowerBox G2 variant B")
    assert _values(a, a.batteries[0].device_sn)["600"] != ""
    assert "600" not in _values(b, b.batteries[0].device_sn)
    assert a.batteries[0].model_name == b.batteries[0].model_name == "PowerBox G2"
    assert a.batteries[0].model_code == b.batteries[0].model_code == 42


def test_cygni_sign_and_empty_sub() -> None:
    """Cygni 171/172 are negative while charging; SUB is empty."""
    sim = _sim("Cygni 10.0HS-M8")
    battery = sim.batteries[0]
    seen = set()
    for _ in range(48):
        sim.clock.advance(timedelta(minutes=30))
        values = _values(sim, battery.device_sn)
        sample = battery.latest_sample(sim.clock.now())
        assert sample is not None
        assert values["SUB"] == ""
        assert int(values["172"]) == round(-sample.power_w)
        assert float(values["171"]) == pytest.approx(-sample.current, abs=0.051)
        if sample.power_w > 0:
            assert float(values["171"]) < 0
            seen.add("charge")
        elif sample.power_w < 0:
            assert float(values["171"]) > 0
            seen.add("discharge")
        assert values["2010"] == str(sample.soc_display)
    assert seen == {"charge", "discharge"}


def test_t21_sub_null_and_unreachable_boxes() -> None:
    """T21 behind a marshalling box: SUB null, sub-boxes answer nothing."""
    sim = _sim("Tower T21")
    battery = sim.batteries[0]
    data = battery.points(battery.device_sn, sim.clock.now())
    assert next(p for p in data if p["pointId"] == "SUB")["pointValue"] is None
    assert battery.points(battery.module_sns[0], sim.clock.now()) == []
    listed = _sim("Tower T14", sub_mode="null").batteries[0]
    assert listed.sub_mode == "null"


def test_drop_sub_for_exactly_one_cycle() -> None:
    """A dropped module is missing from SUB in this cycle only."""
    sim = _sim("DL5.0C")
    battery = sim.batteries[0]
    full = ",".join(battery.module_sns)
    assert _values(sim, battery.device_sn)["SUB"] == full
    dropped = sim.drop_sub(battery.device_sn)
    assert dropped == battery.module_sns[-1]
    assert _values(sim, battery.device_sn)["SUB"] == ",".join(battery.module_sns[:-1])
    assert _values(sim, battery.device_sn)["SUB"] == ",".join(battery.module_sns[:-1])
    sim.clock.advance(timedelta(minutes=5))
    assert _values(sim, battery.device_sn)["SUB"] == full
    sim.drop_sub(battery.device_sn, battery.module_sns[0])
    assert battery.module_sns[0] not in _values(sim, battery.device_sn)["SUB"]
    with pytest.raises(KeyError):
        sim.drop_sub(battery.device_sn, "0000")
    cygni = _sim("Cygni 10.0HS-M8").batteries[0]
    cygni.module_sns = ()
    with pytest.raises(ValueError, match="no modules"):
        cygni.drop_sub(START)


def test_drop_sub_before_first_upload() -> None:
    """Dropping before any sample hits the first slot."""
    sim = _sim("DL5.0C")
    battery = sim.batteries[0]
    battery.start(START)
    early = battery.anchor
    assert battery.latest_slot(early) is None
    battery.drop_sub(early)
    assert battery.sub_drops


def test_powerdepot_limits_missing_single_cycles() -> None:
    """PowerDepot G2 loses 3800/3900 now and then, never two cycles running (Q15)."""
    sim = _sim("PowerDepot G2")
    battery = sim.batteries[0]
    missing = []
    for _ in range(288):
        sim.clock.advance(timedelta(minutes=5))
        values = _values(sim, battery.device_sn)
        gap = "3800" not in values
        assert gap == ("3900" not in values)
        missing.append(gap)
    assert 1 <= sum(missing) <= 40
    assert not any(a and b for a, b in itertools.pairwise(missing))
    other = _sim("DL5.0C")
    assert not other.batteries[0].flaky_gap(123)


def test_junior_box_extension() -> None:
    """Junior Box: PV V*A = W, outputs, counters, TOU read-back and 999999."""
    sim = _sim("Junior Box")
    battery = sim.batteries[0]
    sim.clock.set(datetime(2026, 6, 22, 11, 0, tzinfo=UTC))
    values = _values(sim, battery.device_sn)
    pv = float(values["4800"])
    assert pv > 0
    assert float(values["4600"]) * float(values["4700"]) == pytest.approx(pv, rel=0.02)
    assert values["5900"] == values["4800"]
    assert float(values["7600"]) > 0
    assert float(values["7500"]) > float(values["7600"])
    assert (values["8100"], values["8200"], values["8300"]) == ("127", "800", "1700")
    assert int(values["8400"]) % 32 == 17
    assert values["9300"] == "0"
    assert values["999999"] == values["4100"]
    assert values["4400"] == ""
    sim.clock.set(datetime(2026, 6, 22, 1, 0, tzinfo=UTC))
    night = _values(sim, battery.device_sn)
    assert (night["4600"], night["4700"], night["4800"]) == ("0.0", "0.00", "0")


def test_module_counters_consistent_with_master() -> None:
    """DL5.0C with 3 modules: master has 7100-7400; module currents add up."""
    sim = _sim("DL5.0C")
    battery = sim.batteries[0]
    sim.clock.set(datetime(2026, 6, 22, 9, 0, tzinfo=UTC))
    master = _values(sim, battery.device_sn)
    modules = [_values(sim, sn) for sn in battery.module_sns]
    assert master["SUB"] == ",".join(battery.module_sns)
    assert float(master["7100"]) >= float(master["7200"])
    total = sum(float(m["13400"]) for m in modules)
    assert total == pytest.approx(float(master["700"]), abs=0.1)
    for module in modules:
        assert abs(int(module["14000"]) - int(master["800"])) <= 1


def test_bms_entry_in_storage_list_and_station_capacity() -> None:
    """Q7: one module, total, nominal (stale) or total plus the BMS entry."""
    from dyness_sim.accounts import DEFAULT_APP_ID
    from dyness_sim.endpoints import Context, station_info, storage_list

    def capacity(sim: Simulator) -> str:
        battery = sim.batteries[0]
        ctx = Context(sim.account(DEFAULT_APP_ID), sim.accounts, sim.clock.now())
        return str(
            station_info(ctx, {"deviceSn": battery.device_sn})["batteryCapacity"]
        )

    assert capacity(_sim("DL5.0C")) == "5.12"
    assert capacity(_sim("PowerHaus")) == "5.12"
    assert capacity(_sim("Tower T14")) == "14.2"
    assert capacity(_sim("STACK100-7S", modules=13)) == "35.84"
    six = _sim("DL5.0C", modules=6, bms_entry=True)
    assert capacity(six) == "35.84"
    ctx = Context(six.account(DEFAULT_APP_ID), six.accounts, six.clock.now())
    page = storage_list(ctx, {})
    assert page["total"] == 7
    entries = page["list"]
    assert entries[0]["deviceSn"].endswith("-BMS")
    assert [e["masterSlaveStatus"] for e in entries] == [1] + [2] * 6
    assert {e["deviceSn"] for e in entries[1:]} == set(six.batteries[0].module_sns)


@pytest.mark.parametrize("key", ALL_MODELS)
def test_labels_unique_and_chinese_style(key: str) -> None:
    """Each table's labels are distinct, and all but a few carry Chinese text."""
    battery = _sim(key).batteries[0]
    for rows in (battery.master_rows, battery.module_rows):
        labels = [row.label for row in rows if row.label != "空"]
        assert len(labels) == len(set(labels)), key
        latin = [label for label in labels if not re.search(r"[\u4e00-\u9fff]", label)]
        assert set(latin) <= {"SOC", "SOH", "Discharge enable", "Charge enable"}
