package main

import "fmt"

// words are the lines the commands say to people that --lang ar turns into
// Arabic (the per-row messages are package payout's). Counts are written
// as numerals with a neutral noun in Arabic.
var words = map[string][2]string{
	"plan":    {"plan: pay %d %s, SAR %s, in %d %s of up to %d, for pay period %s, to %s", "الخطة: دفع %d %s بمبلغ %s ريال، في %d %s بحد أقصى %d، لفترة الرواتب %s، إلى %s"},
	"prompt":  {"Type yes to pay %d %s, SAR %s, for pay period %s, to %s: ", "اكتب yes لدفع %d %s بمبلغ %s ريال لفترة الرواتب %s إلى %s: "},
	"closed":  {"closed batch %s: %d %s, SAR %s (order %s, pay period %s)", "أُغلقت الدفعة %s: %d %s بمبلغ %s ريال (الطلب %s، فترة الرواتب %s)"},
	"results": {"results: %s", "النتائج: %s"},
	"follow":  {"follow the transfers with: payroll status %s%s", "تابع التحويلات بالأمر: payroll status %s%s"},
	"invalid": {"nothing was sent: fix the rows in the report and upload again (rows already paid are left out then), or use --skip-invalid to pay only the valid rows",
		"لم يُرسل شيء: صحح الصفوف الواردة في التقرير ثم ارفع الملف مرة أخرى (الصفوف المدفوعة سابقاً تُستبعد حينها)، أو استخدم ‎--skip-invalid لدفع الصفوف الصحيحة فقط"},
	"leftout":      {"left out %d invalid %s (%s); fix the sheet and upload it again: only the fixed rows will be paid. See %s", "استُبعد %d %s خاطئ (%s)؛ صحح الملف وارفعه مرة أخرى: تُدفع الصفوف المصححة فقط. انظر %s"},
	"leftfile":     {"the rows left out, with their errors, ready to fix and upload: %s", "الصفوف المستبعدة مع أخطائها، جاهزة للتصحيح والرفع: %s"},
	"warnings":     {"%d %s: these rows are paid all the same; see %s", "%d %s: تُدفع هذه الصفوف رغم ذلك؛ انظر %s"},
	"paid":         {"already paid in pay period %s, %s: %s", "مدفوعة سابقاً في فترة الرواتب %s، %s: %s"},
	"replaces":     {"replaces the upload of %s (order %s, %s) that never reached Clickpay: it pays nobody and will not be resumed", "يحل محل رفع الملف %s (الطلب %s، %s) الذي لم يصل إلى كليك باي: لم يدفع لأحد ولن يُستأنف"},
	"replacesopen": {"replaces the upload of %s (order %s): its batch %s was never closed, so it paid nobody, and Clickpay says it is still open; leave it unclosed in the dashboard (--force)", "يحل محل رفع الملف %s (الطلب %s): دفعته %s لم تُغلق قط فلم تدفع لأحد، وتقول كليك باي إنها ما زالت مفتوحة؛ اتركها دون إغلاق في لوحة التحكم (‎--force)"},
	"paidopen":     {"already in a batch of pay period %s, %s: %s", "موجودة مسبقاً في دفعة لفترة الرواتب %s، %s: %s"},
	"leftpaid":     {"left out", "استُبعدت"},
	"again":        {"paid AGAIN (--pay-again)", "تُدفع مرة أخرى (‎--pay-again)"},
	"clickpay":     {"Clickpay", "Clickpay"},
	"sandbox":      {"the sandbox", "بيئة التجربة"},
	"row":          {"row", "صف"},
	"rows":         {"rows", "صف"},
	"page":         {"page", "صفحة"},
	"pages":        {"pages", "صفحات"},
	"warning":      {"warning", "تنبيه"},
	"warning2":     {"warnings", "تنبيهات"},
}

// say returns a line of words in lang, filled in.
func say(lang, key string, a ...any) string {
	i := 0
	if lang == "ar" {
		i = 1
	}
	return fmt.Sprintf(words[key][i], a...)
}

// noun is the word for n things: the word one names for one, more for more.
func noun(lang string, n int, one, more string) string {
	if n == 1 {
		return say(lang, one)
	}
	return say(lang, more)
}

// checkLang refuses a --lang other than the two the tool speaks ("" is
// English: the options of a command run without its flags).
func checkLang(lang string) error {
	if lang != "" && lang != "en" && lang != "ar" {
		return usagef("--lang must be en or ar, not %q", lang)
	}
	return nil
}
