"""Messages of the market: the public enquiry form and its consent, the staff's enquiries and
funnel pages, units, the demo banner: key → (Chinese, English)."""
from __future__ import annotations

CONSENT_VERSION = "2026-11-v1"
"""The version of the consent text below: stored with every enquiry (change both together)."""

MESSAGES: dict[str, tuple[str, str]] = {
    "enq_consent_text": (
        "本人同意福田区科技创新主管部门及其招商服务人员为答复本次空间需求、联系本人及安排看房之目的，收集、存储和使用"
        "本表所填的联系人姓名、电话和电子邮箱；上述信息仅限工作人员查看，不对外公开，不用于其他目的；本人可随时联系"
        "工作人员要求删除。",
        "I agree that Futian District's science and technology authority and its investment-promotion staff collect, "
        "store and use the contact name, phone number and email address given in this form to answer this enquiry "
        "for space, contact me and arrange visits; only staff can see them, they are not published or used for "
        "anything else, and I may ask staff to delete them at any time."),
    "demo_banner": (
        "演示模式：本页面运行在合成演示数据上（{label}）。所有单元、企业、需求和签约均为虚构，不代表任何真实情况。",
        "Demo mode: this page runs on synthetic demo data ({label}). Every unit, enterprise, enquiry and lease is "
        "invented and describes nothing real."),
}
