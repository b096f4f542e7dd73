package classifier

import (
	"testing"
)

// TestVoiceBag: the words of a passage and its page features, numbers
// read by what they are.
func TestVoiceBag(t *testing.T) {
	bag, err := VoiceBag("金博教育暑假班火热报名中！咨询电话13812345678或0571-88886666，学费1980元，资料费￥200，" +
		"2019年7月3日记者报道：8:30-10:00上课，考了95分，第3名，及格率90%？學(xué)習(xí)")
	if err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]int{
		"#phone": 2, "#price": 2, "#date": 1, "#clock": 2, "#score": 1, "#rank": 1, "#percent": 1,
		"#brand": 1, "#report": 2, "#question": 1, "学习": 1, "暑假": 1, "记者": 1,
	} {
		if bag[k] != want {
			t.Errorf("%s = %d, want %d (bag %v)", k, bag[k], want, bag)
		}
	}
	for _, k := range []string{"13812345678", "1980", "(", "xué"} {
		if bag[k] != 0 {
			t.Errorf("%q in the bag: %v", k, bag)
		}
	}
	if b, _ := VoiceBag(""); len(b) != 0 {
		t.Errorf("empty text: %v", b)
	}
}
