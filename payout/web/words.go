package web

import (
	"fmt"
	"html/template"
	"path/filepath"
	"strings"
	"unicode"

	"payroll/payout"
)

// words are the page's texts in English and Arabic. Names, headers and
// values from sheets are shown as typed, with dir="auto".
var words = map[string][2]string{
	"title":         {"Payroll", "الرواتب"},
	"other":         {"العربية", "English"},
	"otherlang":     {"ar", "en"},
	"sandbox":       {"Sandbox: nothing is really paid", "بيئة تجريبية: لا يُدفع شيء فعلاً"},
	"login":         {"Log in", "تسجيل الدخول"},
	"password":      {"Password", "كلمة المرور"},
	"token":         {"One-time token (printed when the server started)", "الرمز لمرة واحدة (طُبع عند تشغيل الخادم)"},
	"logout":        {"Log out", "تسجيل الخروج"},
	"wrongpassword": {"Wrong password.", "كلمة المرور غير صحيحة."},
	"upload":        {"Upload a salary sheet", "رفع كشف الرواتب"},
	"uploadhelp":    {"Excel (.xlsx) or CSV, at most %d MB. Every row is checked before anything is paid.", "ملف Excel (.xlsx) أو CSV، بحد أقصى %d ميغابايت. يُفحص كل صف قبل دفع أي شيء."},
	"drop":          {"Drop the sheet here, or choose it", "أفلت الكشف هنا، أو اختره"},
	"sheetname":     {"Sheet (when the workbook has several; empty for the first)", "الورقة (إن كان في المصنف أكثر من ورقة؛ اتركه فارغاً للأولى)"},
	"period":        {"Pay period (empty for this month, e.g. 2026-11 or 2026-11-bonus)", "فترة الدفع (فارغ لهذا الشهر، مثل 2026-11 أو 2026-11-bonus)"},
	"payperiod":     {"Pay period", "فترة الدفع"},
	"skipinvalid":   {"Pay the valid rows even if some rows have errors", "ادفع الصفوف الصحيحة حتى لو كان في بعض الصفوف أخطاء"},
	"check":         {"Check the sheet", "افحص الكشف"},
	"template":      {"Blank template", "نموذج فارغ"},
	"history":       {"History", "السجل"},
	"home":          {"Upload", "رفع"},
	"result":        {"Check of %s", "فحص %s"},
	"rowsread":      {"Rows read", "الصفوف المقروءة"},
	"valid":         {"Valid", "الصحيحة"},
	"invalidrows":   {"With errors", "فيها أخطاء"},
	"warned":        {"With warnings", "فيها تنبيهات"},
	"total":         {"Total of the valid rows", "إجمالي الصفوف الصحيحة"},
	"columns":       {"Columns used", "الأعمدة المستخدمة"},
	"field":         {"Field", "الحقل"},
	"column":        {"Column", "العمود"},
	"problems":      {"Errors and warnings", "الأخطاء والتنبيهات"},
	"row":           {"Row", "الصف"},
	"header":        {"Header", "العنوان"},
	"value":         {"Value", "القيمة"},
	"message":       {"Message", "الرسالة"},
	"level":         {"Level", "النوع"},
	"error":         {"error", "خطأ"},
	"warning":       {"warning", "تنبيه"},
	"more":          {"… and %d more: download the report to see them all.", "… و%d غيرها: نزّل التقرير لرؤيتها كلها."},
	"downloads":     {"Downloads", "التنزيلات"},
	"errors.csv":    {"Error report (CSV)", "تقرير الأخطاء (CSV)"},
	"errors.xlsx":   {"Error report (Excel)", "تقرير الأخطاء (Excel)"},
	"marked.xlsx":   {"Your workbook with the errors highlighted", "مصنفك مع تظليل الأخطاء"},
	"results.xlsx":  {"Results sheet", "ورقة النتائج"},
	"failed.xlsx":   {"Failed rows, ready to fix and upload again", "الصفوف الفاشلة، جاهزة للتصحيح وإعادة الرفع"},
	"leftout":       {"Rows left out, ready to fix and upload again", "الصفوف المستبعدة، جاهزة للتصحيح وإعادة الرفع"},
	"fixupload":     {"Fix the sheet and upload it again.", "صحّح الكشف ثم ارفعه مرة أخرى."},
	"again":         {"Upload another sheet", "رفع كشف آخر"},
	"pay":           {"Pay", "الدفع"},
	"paysummary":    {"%d transfers, SAR %s, pay period %s.", "%d تحويلاً، بمبلغ %s ريال، فترة الدفع %s."},
	"resuming":      {"This sheet's payment was started before and is continued exactly as recorded.", "بدأ دفع هذا الكشف من قبل، ويُستكمل كما سُجّل تماماً."},
	"alreadypaid":   {"Already paid in this pay period and left out: %d rows.", "دُفعت في فترة الدفع هذه واستُبعدت: %d صفاً."},
	"replaces":      {"Replaces the upload of %s (%s) that never reached Clickpay: it paid nobody and will not be resumed.", "يحل محل رفع الملف %s (%s) الذي لم يصل إلى كليك باي: لم يدفع لأحد ولن يُستأنف."},
	"recent":        {"Paid in another pay period within the last 25 days: %d people. Check the pay period is right.", "دُفع لهم في فترة دفع أخرى خلال آخر 25 يوماً: %d شخصاً. تأكد من صحة فترة الدفع."},
	"confirm":       {"I have checked the count and the total: pay them", "راجعت العدد والإجمالي: ادفع"},
	"paybutton":     {"Pay SAR %s now", "ادفع %s ريال الآن"},
	"batch":         {"Payment of %s", "دفع %s"},
	"uploading":     {"Sending: %d of %d transfers", "جارٍ الإرسال: %d من %d تحويلاً"},
	"batchid":       {"Batch", "الدفعة"},
	"status":        {"Status", "الحالة"},
	"count":         {"Count", "العدد"},
	"amount":        {"Amount", "المبلغ"},
	"name":          {"Name", "الاسم"},
	"iban":          {"IBAN", "الآيبان"},
	"final":         {"Every transfer is final.", "كل التحويلات نهائية."},
	"notfinal":      {"Transfers are still being processed; this page refreshes itself.", "ما زالت التحويلات قيد المعالجة؛ تتحدث هذه الصفحة تلقائياً."},
	"payerr":        {"The payment stopped: %s", "توقف الدفع: %s"},
	"nohistory":     {"Nothing has been paid yet.", "لم يُدفع شيء بعد."},
	"file":          {"File", "الملف"},
	"date":          {"Date", "التاريخ"},
	"back":          {"Back to the upload page", "العودة إلى صفحة الرفع"},
	// Errors.
	"forbidden":    {"This form has expired or did not come from this page. Go back, reload the page and try again.", "انتهت صلاحية هذا النموذج أو لم يأت من هذه الصفحة. ارجع وأعد تحميل الصفحة ثم حاول مجدداً."},
	"toolarge":     {"The file is larger than %d MB, more than a salary sheet needs. Save only the payroll sheet, or as CSV, and upload it again.", "الملف أكبر من %d ميغابايت، وهذا أكثر مما يحتاجه كشف رواتب. احفظ ورقة الرواتب وحدها أو بصيغة CSV ثم ارفعه مرة أخرى."},
	"badform":      {"The form could not be read. Reload the page and try again.", "تعذرت قراءة النموذج. أعد تحميل الصفحة وحاول مجدداً."},
	"toomany":      {"Too many wrong passwords from this computer. Try again in %v.", "محاولات خاطئة كثيرة من هذا الجهاز. حاول مجدداً بعد %v."},
	"nofile":       {"Choose a sheet to upload.", "اختر كشفاً لرفعه."},
	"badtype":      {"%q is not a sheet this page reads: upload an Excel workbook (.xlsx) or a CSV file.", "الملف %q ليس من الأنواع المقروءة: ارفع مصنف Excel (.xlsx) أو ملف CSV."},
	"badperiod":    {"Pay period %q: %s", "فترة الدفع %q: %s"},
	"cannotsave":   {"The sheet could not be saved on the server: %v", "تعذر حفظ الكشف على الخادم: %v"},
	"cannotread":   {"The journal could not be read: %v", "تعذرت قراءة السجل: %v"},
	"notfound":     {"There is no such upload (the server may have been restarted). Upload the sheet again.", "لا يوجد رفع بهذا المعرّف (ربما أُعيد تشغيل الخادم). ارفع الكشف مرة أخرى."},
	"notconfirmed": {"Tick the confirmation box to pay.", "ضع علامة في خانة التأكيد للدفع."},
	"busy":         {"Another payment is running on this server. Wait for it to finish, then try again.", "هناك دفع آخر جارٍ على هذا الخادم. انتظر حتى ينتهي ثم حاول مجدداً."},
	"changed":      {"What would be paid changed since you checked it (another payment in the pay period, or a changed sheet). Check the numbers below and confirm again.", "تغيّر ما سيُدفع منذ فحصه (دفع آخر في فترة الدفع، أو تغيّر الكشف). راجع الأرقام أدناه وأكّد مرة أخرى."},
	"invalid":      {"%d rows have errors, so nothing is paid. Fix them and upload the sheet again, or tick “pay the valid rows” when uploading.", "في %d صفاً أخطاء، لذلك لن يُدفع شيء. صحّحها وارفع الكشف مرة أخرى، أو اختر «ادفع الصفوف الصحيحة» عند الرفع."},
	"already":      {"This sheet was already paid in pay period %s on %s as batch %s (%d rows, SAR %s); nothing was sent. Its transfers are in History.", "سبق دفع هذا الكشف في فترة الدفع %s بتاريخ %s في الدفعة %s (%d صفاً، %s ريال)؛ لم يُرسل شيء. تحويلاته في السجل."},
	"oops":         {"Something went wrong", "حدث خطأ"},
}

// say is a text in lang, filled in like fmt.Sprintf.
func say(lang, key string, args ...any) string {
	w, ok := words[key]
	if !ok {
		return key
	}
	text := w[0]
	if lang == "ar" {
		text = w[1]
	}
	if len(args) == 0 {
		return text
	}
	return fmt.Sprintf(text, args...)
}

var funcs = template.FuncMap{
	"t":     say,
	"tf":    func(lang, key string, args []any) string { return say(lang, key, args...) },
	"money": func(a payout.Amount) string { return a.Grouped() },
	"dir": func(lang string) string {
		if lang == "ar" {
			return "rtl"
		}
		return "ltr"
	},
	"lower": strings.ToLower,
	"base":  filepath.Base,
	// textdir is the direction of a value from a sheet: right to left when
	// it holds Arabic letters, else left to right (so that "-500" and an
	// IBAN read as typed on the Arabic page too).
	"textdir": func(v string) string {
		for _, r := range v {
			if unicode.Is(unicode.Arabic, r) && unicode.IsLetter(r) {
				return "rtl"
			}
		}
		return "ltr"
	},
}
