"""Messages of the public portal's market: the enquiry form on the Match page, its refusals and
limits, and the Progress page's area settled through the platform: key → (Chinese, English)."""
from __future__ import annotations

MESSAGES: dict[str, tuple[str, str]] = {
    # the enquiry form (Match page)
    "pt_enq_title": ("向这些空间发起咨询", "Enquire about these spaces"),
    "pt_enq_intro": (
        "无需登录：选择感兴趣的空间，留下企业和联系方式，区科技创新部门的招商服务人员将在 {days} 天内答复。",
        "No login needed: pick the spaces you are interested in and leave your enterprise and a contact; the "
        "district's investment-promotion staff reply within {days} days."),
    "pt_enq_pick": ("咨询的空间", "Spaces to ask about"),
    "pt_enq_pick_none": ("不指定空间（仅按上面的需求咨询）", "No particular space (ask about the need above)"),
    "pt_enq_enterprise": ("企业名称", "Enterprise name"),
    "pt_enq_credit": ("统一社会信用代码（选填）", "Unified social credit code (optional)"),
    "pt_enq_credit_help": ("18 位，见营业执照；填写后会校验。", "18 characters, on the business licence; checked when given."),
    "pt_enq_contact": ("联系人", "Contact name"),
    "pt_enq_phone": ("联系电话", "Phone"),
    "pt_enq_email": ("电子邮箱", "Email"),
    "pt_enq_contact_help": ("电话和邮箱至少填一项。", "Give a phone number, an email address or both."),
    "pt_enq_message": ("留言（选填）", "Message (optional)"),
    "pt_enq_consent_title": ("个人信息处理同意书（版本 {version}）",
                             "Consent to the processing of personal data (version {version})"),
    "pt_enq_consent_box": ("我已阅读并同意上述同意书", "I have read and agree to the consent above"),
    "pt_enq_submit": ("发送咨询", "Send the enquiry"),
    "pt_enq_sent_title": ("咨询已发送", "Your enquiry has been sent"),
    "pt_enq_ref": ("咨询编号", "Reference"),
    "pt_enq_next": (
        "工作人员将在 {days} 天内（{due} 前）通过您留下的电话或邮箱答复。请保存好咨询编号，联系工作人员时请提供；"
        "为保护隐私，本页面不会再显示您填写的联系方式。",
        "Staff will reply within {days} days (by {due}) by the phone or email you gave. Keep the reference and "
        "quote it when you contact staff; for your privacy this page does not show your contact details again."),
    # refusals
    "pt_err_consent": ("请先阅读并勾选同意书，才能发送咨询。", "Read and tick the consent to send the enquiry."),
    "pt_err_required": ("请填写“{field}”。", "Fill in \"{field}\"."),
    "pt_err_too_long": ("“{field}”最多 {limit} 个字符。", "\"{field}\" has at most {limit} characters."),
    "pt_err_control": ("“{field}”含有控制字符、换行或不可见字符，请删除。",
                       "\"{field}\" contains a control or invisible character or a line break: remove it."),
    "pt_err_no_contact": ("请填写联系电话或电子邮箱（至少一项）。",
                          "Give a phone number or an email address (at least one)."),
    "pt_err_phone": ("联系电话格式不正确：请填写数字，可含 +、空格、括号和连字符（例如 13800138000 或 0755-8888 8888）。",
                     "The phone number is not valid: digits, with +, spaces, brackets or hyphens if you like "
                     "(e.g. 13800138000 or 0755-8888 8888)."),
    "pt_err_email": ("电子邮箱格式不正确（例如 name@example.com）。",
                     "The email address is not valid (like name@example.com)."),
    "pt_err_credit": ("统一社会信用代码有误：{reason}。请对照营业执照检查，或留空。",
                      "The unified social credit code is wrong: {reason}. Check it against the business licence, "
                      "or leave it empty."),
    "pt_err_credit_other": ("格式不符合国家标准", "it does not follow the national standard"),
    "pt_err_picks": ("最多选择 {limit} 个空间。", "Pick at most {limit} spaces."),
    "pt_err_unknown_pick": ("所选空间已不在数据中，请重新匹配后再咨询。",
                            "A space you picked is no longer in the data: run the match again."),
    "pt_err_busy": ("系统正忙，请稍后再试。", "The system is busy: try again in a moment."),
    "pt_err_generic": ("咨询未能发送，请检查填写的内容后重试。",
                       "The enquiry could not be sent: check the fields and try again."),
    "pt_err_session_limit": ("本次访问一小时内已发送 {n} 条咨询，请约 {minutes} 分钟后再试。",
                             "This visit has sent {n} enquiries within an hour: try again in about {minutes} "
                             "minutes."),
    "pt_err_address_limit": ("来自您网络地址的咨询过多，请约 {minutes} 分钟后再试。",
                             "Too many enquiries have come from your network address: try again in about "
                             "{minutes} minutes."),
    # area settled through the platform (Progress page)
    "pt_settled_title": ("经平台落地面积", "Settled through the platform"),
    "pt_settled_note": (
        "通过本平台的咨询签约的租约面积。这是单独统计的口径：不计入上面的报告数和台账，也不与它们相加。",
        "The area of leases signed from enquiries made through this platform. A measure of its own: counted "
        "apart from the reported figures and the ledger above, never added to them."),
    "pt_settled_total": ("经平台签约面积", "Signed through the platform"),
    "pt_settled_leases": ("{n} 份租约", "{n} lease(s)"),
    "pt_settled_moved_in": ("已入驻面积", "Moved in"),
    "pt_settled_moved_in_note": ("签约后已入驻的租约", "leases whose tenant has moved in"),
    "pt_settled_incubation": ("其中在培育载体内", "Of which in incubation carriers"),
    "pt_settled_incubation_note": ("孵化器及台账中的载体", "incubators and carriers on the ledger"),
    "pt_settled_none": ("尚无经平台落地的面积（0 ㎡）：平台还没有签约记录。",
                        "No space has been settled through the platform yet (0 m²): it has no signed lease."),
    "pt_settled_synthetic": ("合成演示数据", "Synthetic demo data"),
    "pt_settled_by_quarter": ("按签约季度", "By quarter signed"),
    "pt_settled_by_cluster": ("按创新集聚区", "By innovation cluster"),
    "pt_col_quarter": ("季度", "Quarter"),
    "pt_col_cluster": ("集聚区", "Cluster"),
    "pt_col_area": ("签约面积(㎡)", "Area signed (m²)"),
    "pt_col_leases": ("租约数", "Leases"),
    "pt_no_cluster": ("不在集聚区内", "Outside the clusters"),
}
