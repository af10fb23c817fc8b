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

# Junior Box extension (doc §8.3). The doc has no Chinese labels for 4400-9600
# and 999999; all labels of this block are invented in the API's style. 4400 has
# no documented meaning and is served as "". TOU group g has its base point at
# 8100 + 400*(g-1) and start/end/power-mode at base+100/+200/+300.
JUNIOR_BOX_ROWS: tuple[PointRow, ...] = (
    *_rows(
        ("4400", "光伏状态", None),
        ("4500", "工作状态", "jb_work_status"),
        ("4600", "PV电压", "pv_voltage"),
        ("4700", "PV电流", "pv_current"),
        ("4800", "PV功率", "pv_power"),
        ("4900", "电池电压", "jb_bat_voltage"),
        ("5000", "电池电流", "jb_bat_current"),
        ("5100", "电池功率", "jb_bat_power"),
        ("5200", "OUT1电压", "out1_voltage"),
        ("5300", "OUT1电流", "out1_current"),
        ("5400", "OUT1功率", "out1_power"),
        ("5500", "OUT2电压", "out2_voltage"),
        ("5600", "OUT2电流", "out2_current"),
        ("5700", "OUT2功率", "out2_power"),
        ("5800", "母线电压", "bus_voltage"),
        ("5900", "PV总功率", "pv_power"),
        ("6000", "电池总功率", "jb_bat_power"),
        ("6100", "输出总功率", "out_power"),
        ("6200", "电池状态", "jb_bat_state"),
        ("6300", "错误码", "error_code"),
        ("6400", "EMS模式", "ems_mode"),
        ("6500", "EMS功率", "ems_power"),
        ("6600", "放电深度", "dod"),
        ("6700", "电池协议", "bat_protocol"),
        ("6900", "散热器温度", "heatsink_t"),
        ("7000", "环境温度", "air_t"),
    ),
    *ENERGY_COUNTER_ROWS,
    *_rows(
        ("7500", "PV累计发电量", "pv_total"),
        ("7600", "PV当日发电量", "pv_today"),
        ("7700", "输出累计电量", "out_total"),
        ("7800", "输出当日电量", "out_today"),
        ("7900", "DSP1版本", "dsp_version"),
        ("8000", "DSP SVN版本", "dsp_svn"),
    ),
    *(
        PointRow(str(8100 + 400 * g + 100 * k), f"时段{g + 1}{part}", f"tou{g + 1}_{k}")
        for g in range(4)
        for k, part in enumerate(("星期", "开始时间", "结束时间", "功率模式"))
    ),
    *_rows(("999999", "总告警", "alarm_any")),
)

# Family B: HV BDU master (doc §8.4). Labels of 10-2700 are the ones posted in
# #1; labels from 2800 on are invented in the same style (the doc has none).
TOWER_MASTER: tuple[PointRow, ...] = (
    *META_ROWS,
    *_rows(
        ("10", "BDU序列号", "bdu_sn"),
        ("20", "PCB序列号", "pcb_sn"),
        ("30", "Boot版本号", "boot_version"),
        ("40", "硬件版本号", "hw_version"),
        ("50", "APP版本号", "firmware"),
        ("1000", "电流", "current"),
        ("1100", "总压", "voltage"),
        ("1200", "电池状态", "battery_state"),
        ("1300", "继电器状态", "relay"),
        ("1400", "SOC", "soc"),
        ("1500", "SOH", "soh"),
        ("1600", "电池剩余电量", "remaining_kwh"),
        ("1700", "电池额定电量", "rated_kwh"),
        ("1800", "电池循环次数", "cycles"),
        ("1900", "累计充电电量", "charged_total"),
        ("2000", "建议充电电流", "ccl"),
        ("2100", "建议放电电流", "dcl"),
        ("2200", "正极绝缘电阻值", "insulation_pos"),
        ("2300", "负极绝缘电阻值", "insulation_neg"),
        ("2400", "最高单压值", "cell_v_max"),
        ("2500", "最高单压所在箱号", "cell_v_max_box"),
        ("2600", "最高单压箱内序号", "cell_v_max_index"),
        ("2700", "最低单压值", "cell_v_min"),
        # Invented labels from here on.
        ("2800", "最低单压所在箱号", "cell_v_min_box"),
        ("2900", "最低单压箱内序号", "cell_v_min_index"),
        ("3000", "最高温度值", "t_max"),
        ("3100", "最高温度所在箱号", "t_max_box"),
        ("3200", "最高温度箱内序号", "t_max_index"),
        ("3300", "最低温度值", "t_min"),
        ("3400", "最低温度所在箱号", "t_min_box"),
        ("3500", "最低温度箱内序号", "t_min_index"),
        ("3700", "温差", "t_spread"),
        ("3800", "风扇状态", "fan"),
        ("3900", "加热状态", "heating"),
        ("4000", "均衡状态", "balancing"),
        ("4100", "单箱电芯数量", "cells_per_box"),
        ("4300", "电池箱数量", "box_count"),
    ),
)

# Tower T14 alarm bits (PR#11) and the overall alarm; labels invented.
TOWER_ALARM_BITS = _rows(
    ("5001", "压差告警", "alarm_v_spread"),
    ("5002", "温差告警", "alarm_t_spread"),
    ("5003", "绝缘低告警", "alarm_insulation"),
    ("5101", "AFE通信故障", "alarm_afe"),
    ("5102", "BMS通信故障", "alarm_bms"),
    ("5104", "系统故障", "alarm_system"),
)
MASTER_ALARM = _rows(("9999999", "总告警", "alarm_any"))

# Tower Pro TP7 alarm flag registers 1-6 (SH@5e06c5e): register 4400+100*r with
# bit k at 4401+100*r+k. Only 4402 and 4403 have a documented meaning; all
# labels are invented.
_TP7_NAMED = {(0, 1): "单体电压过高一级告警", (0, 2): "充电温度过高一级告警"}
TP7_ALARM_ROWS: tuple[PointRow, ...] = tuple(
    row
    for r in range(6)
    for row in _byte(
        4400 + 100 * r,
        f"告警标志{r + 1}",
        f"tp_alarm{r + 1}",
        tuple(_TP7_NAMED.get((r, k), f"告警标志{r + 1}位{k}") for k in range(8)),
    )
)


def _box_rows(*, sub_sn: bool, temps: int, temp_count: bool) -> tuple[PointRow, ...]:
    """Return an HV sub-box table (doc §8.5); the doc gives no labels (invented)."""
    head = [PointRow("T", "数据采集时间", "T")]
    if sub_sn:
        head.append(PointRow("10010", "子设备序列号", "sub_sn"))
    head += [
        PointRow("11000", "电池箱号", "box_no"),
        PointRow("11100", "电芯数量", "cell_count"),
    ]
    cells = [
        PointRow(str(11200 + 100 * n), f"单体电压{n + 1}", f"cell_v_{n + 1}")
        for n in range(30)
    ]
    tail = [PointRow("14200", "温度采样数量", "temp_count")] if temp_count else []
    tail += [
        PointRow(str(14300 + 100 * k), f"温度{k + 1}", f"box_t_{k + 1}")
        for k in range(temps)
    ]
    return (*head, *cells, *tail)


T14_BOX = _box_rows(sub_sn=False, temps=2, temp_count=False)
TP7_BOX = _box_rows(sub_sn=True, temps=8, temp_count=True)
STACK100_BOX = _box_rows(sub_sn=True, temps=4, temp_count=False)

# Family C: 5-digit master carrying module-style points (doc §8.6). The doc
# gives no labels; these are invented. 23800 (SOC) is always "" (Q18).
BRICK_MASTER: tuple[PointRow, ...] = (
    *META_ROWS,
    *_rows(
        ("10001", "内部序列号", "internal_sn"),
        ("10100", "软件版本", "firmware"),
    ),
    *(
        PointRow(str(10300 + 100 * n), f"电芯{n + 1}电压", f"cell_v_{n + 1}")
        for n in range(16)
    ),
    *_rows(
        ("12400", "BMS板温度", "bms_t"),
        ("12500", "最高温度", "t_max"),
        ("12600", "最低温度", "t_min"),
        ("12700", "MOSFET温度", "mos_t"),
        ("12800", "BMS最高温度", "bms_t_max"),
        ("13400", "电流", "current"),
        ("13500", "总压", "voltage"),
        ("13600", "剩余电量", "remaining_kwh"),
        ("13800", "额定电量", "rated_kwh"),
        ("13900", "循环次数", "cycles"),
        ("14000", "剩余容量", "remaining_ah"),
        ("14100", "额定容量", "rated_ah"),
        ("18400", "充电温度上限", "lim_chg_t_high"),
        ("18600", "最大充电电流", "ccl"),
        ("18700", "充电电压上限", "lim_chg_v"),
        ("18800", "放电电压下限", "lim_dis_v"),
        ("19200", "最大放电电流", "dcl"),
        ("23800", "SOC", None),
    ),
)

# Cygni hybrid inverter (doc §8.7); labels invented. 171/172 are negative while
# charging (Q16).
CYGNI_MASTER: tuple[PointRow, ...] = (
    *META_ROWS,
    *_rows(
        ("164", "内部温度", "internal_t"),
        ("165", "散热器温度", "heatsink_t"),
        ("166", "模块温度", "module_t"),
        ("170", "电池电压", "voltage"),
        ("171", "电池电流", "current_inverted"),
        ("172", "电池功率", "power_inverted"),
        ("173", "电池状态", "battery_state"),
        ("2003", "电池温度", "battery_t"),
        ("2004", "充电限流", "ccl"),
        ("2005", "放电限流", "dcl"),
        ("2010", "SOC", "soc"),
        ("2011", "SOH", "soh"),
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
    "B": Family("B", TOWER_MASTER, T14_BOX),
    "C": Family("C", BRICK_MASTER, LV_MODULE),
    "CYGNI": Family("CYGNI", CYGNI_MASTER, ()),
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
