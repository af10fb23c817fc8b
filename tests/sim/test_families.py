"""Point tables against the doc (§8.2, §8.5, §9)."""

from __future__ import annotations

from pathlib import Path
import re

from dyness_sim.families import DONGLE, FAMILY_A_MASTER, LV_MODULE

DOC = Path(__file__).parents[2] / "docs" / "api.md"

# Family A master as listed in doc §8.2 and §9 (transcribed independently).
EXPECTED_A = {
    "T": "数据采集时间",
    "SUB": "子设备列表",
    "TIME": "子设备最后一包时间",
    "100": "主机设备名称",
    "200": "主机厂商名称",
    "300": "主机软件版本",
    "400": "电池的总数量",
    "500": "序列号SN",
    "600": "平均电压",
    "700": "总电流",
    "800": "平均SOC",
    "900": "平均循环次数",
    "1000": "最大循环次数",
    "1100": "平均SOH",
    "1200": "最小SOH",
    "1300": "单芯最高电压",
    "1400": "单芯最高电压的编号最小的模块",
    "1401": "最高单压模块",
    "1402": "最高单压电芯",
    "1500": "单芯最低电压",
    "1600": "单芯最低电压的编号最小的模块",
    "1601": "最低单压模块",
    "1602": "最低单压电芯",
    "1700": "单芯平均温度",
    "1800": "单芯最高温度",
    "1900": "单芯最高温度的编号最小的模块",
    "1901": "最高温度模块",
    "1902": "最高温度NTC",
    "2000": "单芯最低温度",
    "2100": "单芯最低温度的编号最小的模块",
    "2101": "最低温度模块",
    "2102": "最低温度NTC",
    "2200": "MOSFET平均温度",
    "2300": "MOSFET最高温度",
    "2400": "MOSFET最高温度的编号最小的模块",
    "2500": "MOSFET最低温度",
    "2600": "MOSFET最低温度的编号最小的模块",
    "2700": "BMS平均温度",
    "2800": "BMS最高温度",
    "2900": "BMS最高温度所在模块及序号",
    "3000": "BMS最低温度",
    "3100": "BMS最低温度所在模块及序号",
    "3200": "系统告警状态1",
    "3201": "单芯电压一致性告警",
    "3202": "MOSFET高温",
    "3203": "单芯温度低温",
    "3204": "单芯温度高温",
    "3205": "单芯电压低压",
    "3206": "单芯电压高压",
    "3207": "模块总压低压",
    "3208": "模块总压高压",
    "3300": "系统告警状态2",
    "3301": "空",
    "3302": "空",
    "3303": "空",
    "3304": "空",
    "3305": "内部通信错误",
    "3306": "放电过流告警",
    "3307": "充电过流告警",
    "3308": "单芯温度一致性告警",
    "3400": "系统保护状态1",
    "3401": "空",
    "3402": "MOSFET过温",
    "3403": "单芯温度欠温",
    "3404": "单芯温度过温",
    "3405": "单芯电压欠压",
    "3406": "单芯电压过压",
    "3407": "模块总压欠压",
    "3408": "模块总压过压",
    "3500": "系统保护状态2",
    "3501": "空",
    "3502": "空",
    "3503": "空",
    "3504": "系统故障保护",
    "3505": "空",
    "3506": "放电过流保护",
    "3507": "充电过流保护",
    "3508": "空",
    "3600": "充电电压建议上限",
    "3700": "充电电压建议下限",
    "3800": "最大充电电流",
    "3900": "最大放电电流",
    "4000": "充放电状态",
    "4001": "空",
    "4002": "空",
    "4003": "空",
    "4004": "满充请求",
    "4005": "强充2",
    "4006": "强充1",
    "4007": "Discharge enable",
    "4008": "Charge enable",
    "4100": "总报警状态",
}
EMPTY_IN_S001 = {"500", "900", "1000", "1100", "1700", "2200", "2500", "2600", "2700"}


def test_family_a_matches_doc_transcription() -> None:
    """Ids and labels are exactly the doc's 92 entries, without duplicates."""
    ids = [row.point_id for row in FAMILY_A_MASTER]
    assert len(ids) == 92 == len(set(ids))
    assert {row.point_id: row.label for row in FAMILY_A_MASTER} == EXPECTED_A


def test_empty_points_are_the_s001_ones() -> None:
    """Only the points S001 shows as "" have no quantity."""
    assert {row.point_id for row in FAMILY_A_MASTER if row.key is None} == EMPTY_IN_S001


def test_bit_rows_follow_their_byte() -> None:
    """Sub-point X+k is bit k-1 of byte X."""
    for row in FAMILY_A_MASTER:
        if row.key is not None and "#" in row.key:
            byte_key, bit = row.key.split("#")
            base = int(row.point_id) - int(bit) - 1
            byte_row = next(r for r in FAMILY_A_MASTER if r.point_id == str(base))
            assert byte_row.key == byte_key


def test_module_and_dongle_tables() -> None:
    """LV modules carry the §8.5 ids with 16 cells; the dongle 800000."""
    ids = [row.point_id for row in LV_MODULE]
    assert len(ids) == len(set(ids))
    cells = [str(10300 + 100 * n) for n in range(16)]
    assert cells[-1] == "11800"
    for point in ("10000", "10100", "10200", *cells, "12400", "13400", "13500"):
        assert point in ids
    for point in ("13900", "14000", "14100"):
        assert point in ids
    assert [(row.point_id, row.label) for row in DONGLE] == [
        ("T", "数据采集时间"),
        ("800000", "信号强度"),
    ]


def _doc_rows(text: str, start: str, end: str) -> dict[str, str]:
    """Return id -> label of the first two columns of tables between two headings."""
    section = text[text.index(start) : text.index(end)]
    found: dict[str, str] = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) >= 2 and re.fullmatch(r"T|SUB|TIME|\d{3,4}", cells[0]):
            found[cells[0]] = cells[1]
    return found


def test_family_a_matches_doc_file() -> None:
    """The §8.2 and §9 tables of docs/api.md agree with the simulator."""
    text = DOC.read_text(encoding="utf-8")
    table = _doc_rows(text, "### 8.2", "### 8.3")
    mine = {row.point_id: row.label for row in FAMILY_A_MASTER}
    for point, label in table.items():
        assert mine[point] == label, point
    bits = re.findall(r"\| (\d{4}) \(b(\d)\) \| ([^|]+) \|", text)
    assert len(bits) >= 20
    for point, _bit, label in bits:
        assert mine[point] == label.strip(), point
