package payout

import "strings"

// messages holds, for every stable error code, the plain message in English
// and Arabic. %[1]s is the field's label, %[2]s a detail (an expected length,
// the other row, ...).
var messages = map[string][2]string{
	"field.required":        {"the %[1]s is empty; fill it in", "حقل %[1]s فارغ؛ يرجى تعبئته"},
	"column.missing":        {"%[2]s", "لا يوجد عمود لحقل %[1]s؛ أضف العمود أو حدده في ملف الربط (--mapping). %[2]s"},
	"column.ambiguous":      {"%[2]s", "أكثر من عمود قد يكون حقل %[1]s؛ حدد العمود الصحيح في ملف الربط (--mapping). %[2]s"},
	"iban.invalid":          {"the IBAN may hold only letters and digits, starting with the country code (e.g. SA…)", "رقم الآيبان يجب أن يتكون من حروف وأرقام فقط ويبدأ برمز الدولة (مثل SA…)"},
	"iban.country":          {"the IBAN starts with an unknown country code; check the first two letters", "رمز الدولة في بداية الآيبان غير معروف؛ تحقق من أول حرفين"},
	"iban.length":           {"the IBAN has %[2]s characters but a %[3]s IBAN has %[4]s; check for a missing or extra character", "رقم الآيبان يتكون من %[2]s خانة بينما الآيبان من %[3]s يتكون من %[4]s خانة؛ تحقق من وجود حرف ناقص أو زائد"},
	"iban.format":           {"the IBAN has letters where digits belong (or the reverse); check it against the bank's letter", "رقم الآيبان يحتوي حروفاً مكان الأرقام أو العكس؛ قارنه بخطاب البنك"},
	"iban.checksum":         {"the IBAN's check digits do not match: a character is mistyped; copy the IBAN again from the bank's letter", "أرقام التحقق في الآيبان غير متطابقة: يوجد خطأ في أحد الأحرف؛ انسخ الآيبان مرة أخرى من خطاب البنك"},
	"iban.country_mismatch": {"the IBAN is from %[2]s but the country column says otherwise; correct one of the two", "الآيبان من دولة %[2]s بينما عمود الدولة يذكر دولة أخرى؛ صحح أحدهما"},
	"bank.mismatch":         {"the bank column names %[2]s but the IBAN belongs to %[3]s; one of the two is a typo", "عمود البنك يذكر %[2]s بينما الآيبان يتبع %[3]s؛ أحدهما خطأ مطبعي"},
	"bank.required":         {"the bank is needed for an IBAN from %[2]s whose bank code is not in the Saudi bank table; fill in the bank's SWIFT code", "البنك مطلوب لآيبان من %[2]s لا يوجد رمز بنكه في جدول البنوك السعودية؛ أدخل رمز السويفت للبنك"},
	"iban.short":            {"the IBAN is too short to be one; copy it again from the bank's letter", "رقم الآيبان قصير جداً؛ انسخه مرة أخرى من خطاب البنك"},
	"amount.invalid":        {"the amount is not a number; write it like 12500.50", "المبلغ ليس رقماً؛ اكتبه بهذا الشكل 12500.50"},
	"amount.negative":       {"the amount is negative; a payout must be above zero", "المبلغ سالب؛ يجب أن يكون المبلغ أكبر من صفر"},
	"amount.zero":           {"the amount is zero; remove the row or enter the amount to pay", "المبلغ صفر؛ احذف الصف أو أدخل المبلغ المستحق"},
	"amount.decimals":       {"the amount has more than 2 decimal places; round it to halalas (e.g. 1234.57)", "المبلغ يحتوي أكثر من منزلتين عشريتين؛ قرّبه إلى الهللات (مثل 1234.57)"},
	"amount.too_large":      {"the amount is too large (over 999,999,999.99); check it is not an account number", "المبلغ كبير جداً (أكثر من 999,999,999.99)؛ تحقق أنه ليس رقم حساب"},
	"amount.ambiguous":      {"the amount %[2]s reads as %[3]s with a decimal point or as %[4]s with a decimal comma, and the file's other amounts do not tell which; write it without thousands separators (e.g. 1250.00)", "المبلغ %[2]s يُقرأ %[3]s بفاصلة عشرية نقطة أو %[4]s بفاصلة عشرية فاصلة، ولا تحدد المبالغ الأخرى في الملف أيهما؛ اكتبه دون فواصل الآلاف (مثل 1250.00)"},
	"amount.scientific":     {"the amount is in scientific notation (like 1.25E+04) and may have lost digits; format the column as Number and type it again", "المبلغ مكتوب بالصيغة العلمية (مثل 1.25E+04) وقد فقد أرقاماً؛ نسّق العمود كرقم وأعد كتابته"},
	"mobile.invalid":        {"the mobile number is not valid for %[2]s; write it like 0501234567 or +966501234567", "رقم الجوال غير صحيح لدولة %[2]s؛ اكتبه بهذا الشكل 0501234567 أو ‎+966501234567"},
	"mobile.scientific":     {"the mobile number was turned into scientific notation by Excel (like 9.66501E+11) and lost digits; format the column as Text and type the number again", "حوّل Excel رقم الجوال إلى الصيغة العلمية (مثل 9.66501E+11) ففقد أرقاماً؛ نسّق العمود كنص وأعد كتابة الرقم"},
	"mobile.letters":        {"the mobile number contains letters; use digits only", "رقم الجوال يحتوي على حروف؛ استخدم الأرقام فقط"},
	"email.invalid":         {"the email is not one valid address; write a single address like name@example.com", "البريد الإلكتروني غير صحيح؛ اكتب عنواناً واحداً مثل name@example.com"},
	"country.invalid":       {"the country is not a 2-letter ISO code; write e.g. SA", "الدولة ليست رمزاً من حرفين حسب ISO؛ اكتب مثلاً SA"},
	"transfer_code.invalid": {"the transfer code must be 100 (Salary), 101 (Pension), 102 (General Cash Management) or 103 (Donation)", "رمز التحويل يجب أن يكون 100 (راتب) أو 101 (معاش) أو 102 (إدارة النقد) أو 103 (تبرع)"},
	"row.duplicate":         {"the same IBAN is already on row %[2]s; remove the repeat, or use --allow-duplicates if both payments are meant", "نفس الآيبان موجود في الصف %[2]s؛ احذف التكرار أو استخدم ‎--allow-duplicates إذا كانت الدفعتان مقصودتين"},
	"row.paid_different":    {"this IBAN was already paid SAR %[4]s in pay period %[2]s (%[3]s), not this amount; nothing is paid for this row. If both payments are meant, upload with --pay-again; if the amount was corrected, settle the difference outside this batch", "تم دفع مبلغ %[4]s ريال لهذا الآيبان في فترة الرواتب %[2]s (%[3]s) وليس هذا المبلغ؛ لن يُدفع شيء لهذا الصف. إذا كانت الدفعتان مقصودتين فاستخدم ‎--pay-again"},
	"text.invalid":          {"the %[1]s holds a character that cannot be sent to the bank (%[2]s, invisible or shown as �), usually left by a copy from another program or a damaged file; type the value again", "حقل %[1]s يحتوي على رمز لا يمكن إرساله إلى البنك (%[2]s، غير مرئي أو يظهر كـ �)، غالباً بسبب النسخ من برنامج آخر أو ملف تالف؛ أعد كتابة القيمة"},
	"mobile.unlisted":       {"the mobile number has the right length and prefix for %[2]s but is in no range the phone library knows (a new range, or a typo); it is used as it is: check it if notifications matter", "رقم الجوال بطول وبادئة صحيحين لدولة %[2]s لكنه ليس ضمن النطاقات المعروفة (نطاق جديد أو خطأ مطبعي)؛ سيُستخدم كما هو: تحقق منه إذا كانت الإشعارات مهمة"},
	"row.hidden":            {"this row is hidden in the workbook; it was read and is paid like the others: unhide it to check it, or delete it if it must not be paid", "هذا الصف مخفي في الملف؛ تمت قراءته وسيُدفع مثل غيره: أظهره لمراجعته أو احذفه إذا كان يجب ألا يُدفع"},
	"sheet.hidden":          {"the sheet %[2]s is hidden in the workbook and is the one read; check it is the sheet to pay (--sheet names another)", "الورقة %[2]s مخفية في الملف وهي التي تمت قراءتها؛ تأكد أنها الورقة المطلوب دفعها (‎--sheet لتحديد ورقة أخرى)"},
	"text.too_long":         {"the %[1]s is longer than %[2]s characters; shorten it", "حقل %[1]s أطول من %[2]s حرفاً؛ اختصره"},
}

// Codes lists every stable error code.
func Codes() []string {
	var out []string
	for c := range messages {
		out = append(out, c)
	}
	return out
}

// Message returns the plain message for a code in lang ("en" or "ar").
// details fill %[2]s, %[3]s, ... of the message, in order.
func Message(lang, code, label string, details ...string) string {
	m, ok := messages[code]
	if !ok {
		return code
	}
	i := 0
	if lang == "ar" {
		i = 1
	}
	pairs := []string{"%[1]s", label}
	for i, d := range details {
		pairs = append(pairs, "%["+string(rune('2'+i))+"]s", d)
	}
	return strings.NewReplacer(pairs...).Replace(m[i])
}
