package httpapi

import (
	"bytes"
	"cmp"
	"encoding/json"
	"net/http"
	"slices"

	"github.com/switchboard/switchboard/engine"
)

// getSettings is GET /v1/settings: every setting, as engine.SettingsObject writes them.
func (a *API) getSettings(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	if _, err := queryParams(r); err != nil {
		return err
	}
	all, err := a.eng.Settings(r.Context(), actor)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, engine.SettingsObject(all))
}

// patchSettings is PATCH /v1/settings: an object with the settings to change – a
// string (a duration, a text, a URL; "" = off or none), an array of strings for a
// list, or null to put a setting back to its default. All or nothing. It answers every
// setting, as GET does.
func (a *API) patchSettings(w http.ResponseWriter, r *http.Request, actor engine.Actor) error {
	var body map[string]json.RawMessage
	if err := decodeJSON(r.Body, &body); err != nil {
		return err
	}
	if body == nil {
		return badRequest("", "the body must be a JSON object of settings, e.g. {\"handoff_after\": \"10m\"}")
	}
	defs := engine.SettingDefs()
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	// Unknown keys first, then the registry's order: the error named is the same
	// whatever the body's order.
	order := func(k string) int {
		return slices.IndexFunc(defs, func(d engine.SettingDef) bool { return d.Key == k })
	}
	slices.SortFunc(keys, func(x, y string) int {
		if c := cmp.Compare(order(x), order(y)); c != 0 {
			return c
		}
		return cmp.Compare(x, y)
	})
	changes := make([]engine.SettingChange, 0, len(keys))
	for _, k := range keys {
		d, err := engine.SettingByKey(k)
		if err != nil {
			return err
		}
		c, err := settingChange(d, body[k])
		if err != nil {
			return err
		}
		changes = append(changes, c)
	}
	all, err := a.eng.ChangeSettings(r.Context(), actor, changes)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, engine.SettingsObject(all))
}

// settingChange reads one member of a PATCH body.
func settingChange(d engine.SettingDef, raw json.RawMessage) (engine.SettingChange, error) {
	c := engine.SettingChange{Key: d.Key}
	raw = bytes.TrimSpace(raw)
	if bytes.Equal(raw, []byte("null")) {
		c.Unset = true
		return c, nil
	}
	if d.Kind == engine.ListSetting {
		if err := json.Unmarshal(raw, &c.List); err != nil || c.List == nil {
			return c, badRequest(d.Key, "%s is a list: send an array of strings, e.g. [\"one\", \"two\"] (or null for the default)", d.Key)
		}
		return c, nil
	}
	if err := json.Unmarshal(raw, &c.Text); err != nil {
		return c, badRequest(d.Key, "%s takes a string: %s (or null for the default)", d.Key, kindExample(d.Kind))
	}
	return c, nil
}

func kindExample(k engine.SettingKind) string {
	switch k {
	case engine.DurationSetting:
		return `a duration such as "90s", "15m", "4h", "7d", or "" for off`
	case engine.URLSetting:
		return `an https:// URL, or "" for none`
	}
	return `a text, or "" for none`
}
