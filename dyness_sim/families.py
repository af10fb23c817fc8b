"""Point tables of `realTime/data` per family, as data (doc §8, §9).

Each row names a point id, the Chinese label the API sends as `pointNameCn`, and
the key of the simulated quantity it shows. A key of None is a point the real
device reports as `""`. A key `name#k` is bit k of the byte quantity `name`.
New families are new tables; nothing outside this module lists point ids.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PointRow:
    """One point of a family: id, label and the quantity it shows."""

    point_id: str
    label: str
    key: str | None


def _rows(*rows: tuple[str, str, str | None]) -> tuple[PointRow, ...]:
    """Turn literal triples into rows."""
    return tuple(PointRow(*row) for row in rows)


def _byte(
    point: int, label: str, key: str, bit_labels: tuple[str, ...]
) -> tuple[PointRow, ...]:
    """Return a status byte and its eight bit points (point+k is bit k-1)."""
    bits = tuple(
        PointRow(str(point + k + 1), bit_label, f"{key}#{k}")
        for k, bit_label in enumerate(bit_labels)
    )
    return (PointRow(str(point), label, key), *bits)


UNUSED = "空"

ALARM1_BITS = (
    "单芯电压一致性告警",
    "MOSFET高温",
    "单芯温度低温",
    "单芯温度高温",
    "单芯电压低压",
    "单芯电压高压",
    "模块总压低压",
    "模块总压高压",
)
ALARM2_BITS = (
    UNUSED,
    UNUSED,
    UNUSED,
    UNUSED,
    "内部通信错误",
    "放电过流告警",
    "充电过流告警",
    "单芯温度一致性告警",
)
PROTECT1_BITS = (
    UNUSED,
    "MOSFET过温",
    "单芯温度欠温",
    "单芯温度过温",
    "单芯电压欠压",
    "单芯电压过压",
    "模块总压欠压",
    "模块总压过压",
)
PROTECT2_BITS = (
    UNUSED,
    UNUSED,
    UNUSED,
    "系统故障保护",
    UNUSED,
    "放电过流保护",
    "充电过流保护",
    UNUSED,
)
# The API labels 4007/4008 in English (doc §9).
STATUS_BITS = (
    UNUSED,
    UNUSED,
    UNUSED,
    "满充请求",
    "强充2",
    "强充1",
    "Discharge enable",
    "Charge enable",
)

META_ROWS = _rows(
    ("T", "数据采集时间", "T"),
    ("SUB", "子设备列表", "SUB"),
    ("TIME", "子设备最后一包时间", "TIME"),
)

# Family A master, exactly the 92 entries of doc §8.2 (PowerHaus capture S001).
FAMILY_A_MASTER: tuple[PointRow, ...] = (
    *META_ROWS,
    *_rows(
        ("100", "主机设备名称", "host_name"),
        ("200", "主机厂商名称", "manufacturer"),
        ("300", "主机软件版本", "firmware"),
        ("400", "电池的总数量", "module_count"),
        ("500", "序列号SN", None),
        ("600", "平均电压", "voltage"),
        ("700", "总电流", "current"),
        ("800", "平均SOC", "soc"),
        ("900", "平均循环次数", None),
        ("1000", "最大循环次数", None),
        ("1100", "平均SOH", None),
        ("1200", "最小SOH", "soh_min"),
        ("1300", "单芯最高电压", "cell_v_max"),
        ("1400", "单芯最高电压的编号最小的模块", "cell_v_max_loc"),
        ("1401", "最高单压模块", "cell_v_max_module"),
        ("1402", "最高单压电芯", "cell_v_max_cell"),
        ("1500", "单芯最低电压", "cell_v_min"),
        ("1600", "单芯最低电压的编号最小的模块", "cell_v_min_loc"),
        ("1601", "最低单压模块", "cell_v_min_module"),
        ("1602", "最低单压电芯", "cell_v_min_cell"),
        ("1700", "单芯平均温度", None),
        ("1800", "单芯最高温度", "cell_t_max"),
        ("1900", "单芯最高温度的编号最小的模块", "cell_t_max_loc"),
        ("1901", "最高温度模块", "cell_t_max_module"),
        ("1902", "最高温度NTC", "cell_t_max_ntc"),
        ("2000", "单芯最低温度", "cell_t_min"),
        ("2100", "单芯最低温度的编号最小的模块", "cell_t_min_loc"),
        ("2101", "最低温度模块", "cell_t_min_module"),
        ("2102", "最低温度NTC", "cell_t_min_ntc"),
        ("2200", "MOSFET平均温度", None),
        ("2300", "MOSFET最高温度", "mos_t_max"),
        ("2400", "MOSFET最高温度的编号最小的模块", "mos_t_max_module"),
        ("2500", "MOSFET最低温度", None),
        ("2600", "MOSFET最低温度的编号最小的模块", None),
        ("2700", "BMS平均温度", None),
        ("2800", "BMS最高温度", "bms_t_max"),
        ("2900", "BMS最高温度所在模块及序号", "bms_t_max_module"),
        ("3000", "BMS最低温度", "bms_t_min"),
        ("3100", "BMS最低温度所在模块及序号", "bms_t_min_module"),
    ),
    *_byte(3200, "系统告警状态1", "alarm1", ALARM1_BITS),
    *_byte(3300, "系统告警状态2", "alarm2", ALARM2_BITS),
    *_byte(3400, "系统保护状态1", "protect1", PROTECT1_BITS),
    *_byte(3500, "系统保护状态2", "protect2", PROTECT2_BITS),
    *_rows(
        ("3600", "充电电压建议上限", "charge_v_high"),
        ("3700", "充电电压建议下限", "charge_v_low"),
        ("3800", "最大充电电流", "ccl"),
        ("3900", "最大放电电流", "dcl"),
    ),
    *_byte(4000, "充放电状态", "status", STATUS_BITS),
    *_rows(("4100", "总报警状态", "alarm_overall")),
)

# Battery energy counters of the DL5.0C / Junior Box (doc §8.3). The doc has no
# Chinese labels for them; these labels are invented in the API's style.
ENERGY_COUNTER_ROWS = _rows(
    ("7100", "电池累计充电电量", "charged_total"),
    ("7200", "电池当日充电电量", "charged_today"),
    ("7300", "电池累计放电电量", "discharged_total"),
    ("7400", "电池当日放电电量", "discharged_today"),
)

# LV sub-module (doc §8.5). Ids and meanings are from the doc; the doc gives no
# labels for module points, so these Chinese labels are invented.
LV_MODULE: tuple[PointRow, ...] = (
    *_rows(
        ("T", "数据采集时间", "T"),
        ("10000", "模块序列号", "module_sn"),
        ("10100", "模块软件版本", "module_firmware"),
        ("10200", "电芯数量", "cell_count"),
    ),
    *(
        PointRow(str(10300 + 100 * n), f"电芯{n + 1}电压", f"cell_v_{n + 1}")
        for n in range(16)
    ),
    *_rows(
        ("12300", "温度采样数量", "temp_count"),
        ("12400", "BMS板温度", "bms_t"),
        ("12500", "电芯温度1", "cell_t_1"),
        ("12600", "电芯温度2", "cell_t_2"),
        ("13400", "模块电流", "current"),
        ("13500", "模块电压", "voltage"),
        ("13600", "剩余容量", "remaining_ah"),
        ("13700", "模块数量", "module_count"),
        ("13800", "总容量", "capacity_ah"),
        ("13900", "循环次数", "cycles"),
        ("14000", "SOC", "soc"),
        ("14100", "SOH", "soh"),
        ("14300", "告警状态1", "alarm1"),
        ("15200", "告警状态2", "alarm2"),
        ("16300", "保护状态", "protect"),
        ("18100", "单芯过压告警值", "lim_cell_ov"),
        ("18200", "单芯欠压告警值", "lim_cell_uv"),
        ("18300", "单芯欠压保护值", "lim_cell_uvp"),
        ("18400", "充电温度上限", "lim_chg_t_high"),
        ("18500", "充电温度下限", "lim_chg_t_low"),
        ("18600", "最大充电电流", "lim_chg_i"),
        ("18700", "模块过压值", "lim_mod_ov"),
        ("18800", "模块欠压值", "lim_mod_uv"),
        ("18900", "模块欠压保护值", "lim_mod_uvp"),
        ("19000", "放电温度上限", "lim_dis_t_high"),
        ("19100", "放电温度下限", "lim_dis_t_low"),
        ("19200", "最大放电电流", "lim_dis_i"),
    ),
)

# Dongle (collector): only 800000 is claimed by the doc (§5.1, UNCERTAIN).
DONGLE: tuple[PointRow, ...] = _rows(
    ("T", "数据采集时间", "T"),
    ("800000", "信号强度", "signal_dbm"),
)


@dataclass(frozen=True, slots=True)
class Family:
    """The point tables one family answers for its master, modules and dongle."""

    name: str
    master: tuple[PointRow, ...]
    module: tuple[PointRow, ...]
    dongle: tuple[PointRow, ...] = DONGLE


FAMILIES: dict[str, Family] = {
    "A": Family("A", FAMILY_A_MASTER, LV_MODULE),
}

# Keys of getLastRunningDataBySn (doc §6.1); batteries fill only dateTime, sn and
# lastUpdateTime.
RUNNING_DATA_KEYS: tuple[str, ...] = (
    "dateTime",
    "sn",
    "outputMethod",
    "deviceHardwareVersion",
    "safetyCountry",
    "runModel",
    "workStatus",
    "meterCommunication",
    "meterStatus",
    "ctStatus",
    "sparePower",
    "powerLimit",
    "gridStatus",
    "activePower",
    "reactivePower",
    "apparentPower",
    "buyEnergy",
    "sellEnergy",
    "totalBuyEnergy",
    "totalSellEnergy",
    "loadPower",
    "dayElectricity",
    "totalElectricity",
    "batteryPower",
    "batteryVoltage",
    "batteryCurrent",
    "batterySoc",
    "batterySoh",
    "batteryStatus",
    "bmsCommunicationStatus",
    "chargingLimitCurrent",
    "dischargeLimitCurrent",
    "batteryTemperature",
    "gridDischargeDepth",
    "offGridDischargeDepth",
    "generationPower",
    "dayGeneration",
    "totalGeneration",
    "internalTemperature",
    "heatDissipationTemperature",
    "moduleTemperature",
    "dspVersion",
    "armVersion",
    "boxVersion",
    "busVoltage",
    "nbusVoltage",
    "ratedPower",
    "batteryCount",
    "lastUpdateTime",
    "bmsCommunication",
    "boxCommunication",
    "firmwareVersion",
    "pvPower",
    "gridCurrentR",
    "gridCurrentS",
    "gridCurrentT",
    "gridFrequencyR",
    "gridFrequencyS",
    "gridFrequencyT",
    *(f"pv{n}{kind}" for n in range(1, 5) for kind in ("Current", "Voltage", "Power")),
    "maxLeadBatCapacity",
    "gridPower",
    "rvoltage",
    "rcurrent",
    "rgridFrequency",
    "rpower",
    "rspareVoltage",
    "rspareCurrent",
    "rspareGridFrequency",
    "rsparePower",
)
