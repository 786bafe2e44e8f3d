package engine

// SettingReader reads team settings.
type SettingReader interface {
	Setting(key string) (string, error) // ErrNoRows when unset
}

// SettingWriter writes team settings. An empty value is a value (a duration set to ""
// is off); only UnsetSetting removes a setting, which then reads as its default.
type SettingWriter interface {
	SetSetting(key, value string) error
	UnsetSetting(key string) error // removing one that is not set is no error
}
