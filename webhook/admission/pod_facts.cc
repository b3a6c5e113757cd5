#include "webhook/admission/pod_facts.h"

#include <algorithm>

namespace memsecret::webhook {

namespace {

std::optional<int64_t> ReadInt(JsonReader& r) {
  int64_t v;
  return r.ReadInt64(&v) ? std::optional<int64_t>(v) : std::nullopt;
}

// Duplicate keys: the last one wins, as in nlohmann_json's DOM.
StringMapFacts ReadStringMap(JsonReader& r) {
  StringMapFacts m;
  m.shape = ForEachMember(r, [&](std::string_view key) {
    std::string k(key), v;
    if (r.ReadString(&v)) {
      m.values.insert_or_assign(k, std::move(v));
      m.non_string_keys.erase(k);
    } else {
      m.values.erase(k);
      m.non_string_keys.insert(std::move(k));
    }
  });
  return m;
}

SecurityContextFacts ReadSecurityContext(JsonReader& r) {
  SecurityContextFacts s;
  ForEachMember(r, [&](std::string_view key) {
    if (key == "runAsUser")
      s.run_as_user = ReadInt(r);
    else if (key == "runAsGroup")
      s.run_as_group = ReadInt(r);
    else if (key == "fsGroup")
      s.fs_group = ReadInt(r);
    else
      r.Skip();
  });
  return s;
}

void ReadVolumeMounts(JsonReader& r, ContainerFacts* c) {
  c->mount_paths.clear();
  c->volume_mounts = ForEachElement(r, [&] {
    std::optional<std::string> path;
    ForEachMember(r, [&](std::string_view key) {
      if (key != "mountPath") return r.Skip();
      std::string p;
      path = r.ReadString(&p) ? std::optional<std::string>(std::move(p)) : std::nullopt;
    });
    if (path) c->mount_paths.push_back(std::move(*path));
  });
}

void ReadEnv(JsonReader& r, ContainerFacts* c) {
  c->env.clear();
  ForEachElement(r, [&] {
    std::string name;
    std::optional<std::string> value;
    ForEachMember(r, [&](std::string_view key) {
      if (key == "name") {
        name = ReadStringOrEmpty(r);
      } else if (key == "value") {
        std::string v;
        value = r.ReadString(&v) ? std::optional<std::string>(std::move(v)) : std::nullopt;
      } else {
        r.Skip();
      }
    });
    if (value && std::find(kEnvNamesRead.begin(), kEnvNamesRead.end(), name) != kEnvNamesRead.end())
      c->env.emplace_back(std::move(name), std::move(*value));
  });
}

void ReadPorts(JsonReader& r, ContainerFacts* c) {
  c->container_ports.clear();
  ForEachElement(r, [&] {
    ForEachMember(r, [&](std::string_view key) {
      if (key != "containerPort") return r.Skip();
      if (auto port = ReadInt(r)) c->container_ports.push_back(*port);
    });
  });
}

ContainerFacts ReadContainer(JsonReader& r) {
  ContainerFacts c;
  c.is_object = ForEachMember(r, [&](std::string_view key) {
                  if (key == "name")
                    c.name = ReadStringOrEmpty(r);
                  else if (key == "volumeMounts")
                    ReadVolumeMounts(r, &c);
                  else if (key == "securityContext")
                    c.security = ReadSecurityContext(r);
                  else if (key == "env")
                    ReadEnv(r, &c);
                  else if (key == "ports")
                    ReadPorts(r, &c);
                  else
                    r.Skip();
                }) == JsonShape::kObject;
  return c;
}

ContainerListFacts ReadContainerList(JsonReader& r) {
  ContainerListFacts list;
  list.shape = ForEachElement(r, [&] { list.items.push_back(ReadContainer(r)); });
  return list;
}

void ReadMetadata(JsonReader& r, PodFacts* p) {
  p->name.clear();
  p->metadata_namespace.clear();
  p->labels = {};
  p->annotations = {};
  p->metadata = ForEachMember(r, [&](std::string_view key) {
    if (key == "name")
      p->name = ReadStringOrEmpty(r);
    else if (key == "namespace")
      p->metadata_namespace = ReadStringOrEmpty(r);
    else if (key == "labels")
      p->labels = ReadStringMap(r);
    else if (key == "annotations")
      p->annotations = ReadStringMap(r);
    else
      r.Skip();
  });
}

void ReadSpec(JsonReader& r, PodFacts* p) {
  p->service_account_name.clear();
  p->service_account.clear();
  p->security = {};
  p->host_network = false;
  p->volumes = JsonShape::kAbsent;
  p->volume_names.clear();
  p->containers = p->init_containers = p->ephemeral_containers = {};
  p->spec = ForEachMember(r, [&](std::string_view key) {
    if (key == "serviceAccountName") {
      p->service_account_name = ReadStringOrEmpty(r);
    } else if (key == "serviceAccount") {
      p->service_account = ReadStringOrEmpty(r);
    } else if (key == "securityContext") {
      p->security = ReadSecurityContext(r);
    } else if (key == "hostNetwork") {
      bool on = false;
      p->host_network = r.ReadBool(&on) && on;
    } else if (key == "volumes") {
      p->volume_names.clear();
      p->volumes = ForEachElement(r, [&] {
        std::optional<std::string> name;
        ForEachMember(r, [&](std::string_view k) {
          if (k != "name") return r.Skip();
          std::string n;
          name = r.ReadString(&n) ? std::optional<std::string>(std::move(n)) : std::nullopt;
        });
        if (name) p->volume_names.push_back(std::move(*name));
      });
    } else if (key == "containers") {
      p->containers = ReadContainerList(r);
    } else if (key == "initContainers") {
      p->init_containers = ReadContainerList(r);
    } else if (key == "ephemeralContainers") {
      p->ephemeral_containers = ReadContainerList(r);
    } else {
      r.Skip();
    }
  });
}

}  // namespace

PodFacts ReadPodFacts(JsonReader& r, PodFactsScope scope) {
  PodFacts p;
  p.is_object = ForEachMember(r, [&](std::string_view key) {
                  if (key == "metadata")
                    ReadMetadata(r, &p);
                  else if (key == "spec" && scope == PodFactsScope::kAll)
                    ReadSpec(r, &p);
                  else
                    r.Skip();
                }) == JsonShape::kObject;
  return p;
}

PodFacts PodFactsFromJson(const nlohmann::json& pod) {
  const std::string text = pod.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  JsonReader reader(text);
  return ReadPodFacts(reader);
}

}  // namespace memsecret::webhook
