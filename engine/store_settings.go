package engine

// SettingReader reads team settings.
type SettingReader interface {
	Setting(key string) (string, error) // ErrNoRows when unset
}

// SettingWriter writes team settings.
type SettingWriter interface {
	SetSetting(key, value string) error // a blank value removes the setting
}
