#include "storage/checkpoint_store.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "common/crc32c.h"

namespace laminar::storage {

namespace {

constexpr std::string_view kManifest = "MANIFEST.json";
constexpr std::string_view kState = "state.bin";

using Json = nlohmann::json;

/// The checksum covers the manifest as written without its "checksum" member.
uint32_t ManifestChecksum(Json manifest) {
  manifest.erase("checksum");
  return Crc32c(manifest.dump());
}

std::optional<uint64_t> ParseId(const std::string& name) {
  if (name.size() != 20 || !std::all_of(name.begin(), name.end(), ::isdigit)) return std::nullopt;
  return std::strtoull(name.c_str(), nullptr, 10);
}

}  // namespace

const CheckpointSection* CheckpointData::Find(std::string_view kind, std::string_view name) const {
  for (const CheckpointSection& section : sections) {
    if (section.kind == kind && section.name == name) return &section;
  }
  return nullptr;
}

CheckpointStore::CheckpointStore(ObjectStore* store, int retain)
    : store_(store), retain_(std::max(retain, 1)) {}

std::string CheckpointStore::PrefixOf(uint64_t id) {
  return fmt::format("checkpoints/{:020}/", id);
}

namespace {

/// Every checkpoint id under "checkpoints/", with whether its manifest exists.
Result<std::map<uint64_t, bool>> ScanIds(ObjectStore& store) {
  std::map<uint64_t, bool> ids;
  LAMINAR_ASSIGN_OR_RETURN(std::vector<std::string> keys, store.List("checkpoints/"));
  for (const std::string& key : keys) {
    const std::string_view rest =
        std::string_view(key).substr(std::string_view("checkpoints/").size());
    const size_t slash = rest.find('/');
    if (slash == std::string_view::npos) continue;
    const auto id = ParseId(std::string(rest.substr(0, slash)));
    if (!id) continue;
    ids[*id] = ids[*id] || rest.substr(slash + 1) == kManifest;
  }
  return ids;
}

}  // namespace

Status CheckpointStore::Write(const CheckpointData& data) {
  // Leftovers of a checkpoint that never got its manifest (a crash mid-write).
  LAMINAR_ASSIGN_OR_RETURN(auto existing, ScanIds(*store_));
  for (const auto& [id, complete] : existing) {
    if (!complete || id == data.id) LAMINAR_RETURN_IF_ERROR(Delete(id));
  }
  const std::string prefix = PrefixOf(data.id);
  Json sections = Json::array();
  std::string state;
  size_t total = 0;
  for (const CheckpointSection& section : data.sections) total += section.bytes.size();
  state.reserve(total);
  for (const CheckpointSection& section : data.sections) {
    sections.push_back(Json{{"kind", section.kind},
                            {"name", section.name},
                            {"offset", state.size()},
                            {"size", section.bytes.size()},
                            {"crc32c", Crc32c(section.bytes)}});
    state += section.bytes;
  }
  LAMINAR_RETURN_IF_ERROR(store_->Put(prefix + std::string(kState), state));
  Json manifest;
  manifest["format"] = "laminardb-checkpoint";
  manifest["version"] = kFormatVersion;
  manifest["id"] = data.id;
  manifest["created_micros"] = data.created_micros;
  manifest["catalog"] = data.catalog;
  manifest["sections"] = std::move(sections);
  manifest["watermarks"] = data.watermarks;
  manifest["source_offsets"] = data.source_offsets;
  manifest["sink_epochs"] = data.sink_epochs;
  Json wals = Json::object();
  for (const auto& [name, wal] : data.wals) {
    wals[name] = Json{{"mode", wal.mode}, {"directory", wal.directory}};
  }
  manifest["wals"] = std::move(wals);
  manifest["checksum"] = ManifestChecksum(manifest);
  // The manifest last: the checkpoint exists once it does.
  LAMINAR_RETURN_IF_ERROR(store_->Put(prefix + std::string(kManifest), manifest.dump(1)));

  // Retention: the newest `retain_` stay.
  LAMINAR_ASSIGN_OR_RETURN(std::vector<uint64_t> ids, List());
  while (ids.size() > static_cast<size_t>(retain_)) {
    LAMINAR_RETURN_IF_ERROR(Delete(ids.front()));
    ids.erase(ids.begin());
  }
  return Status::Ok();
}

Result<std::vector<uint64_t>> CheckpointStore::List() const {
  std::vector<uint64_t> ids;
  LAMINAR_ASSIGN_OR_RETURN(auto scanned, ScanIds(*store_));
  for (const auto& [id, complete] : scanned) {
    if (complete) ids.push_back(id);
  }
  return ids;
}

Status CheckpointStore::Delete(uint64_t id) {
  const std::string prefix = PrefixOf(id);
  // The manifest goes first, so a crash mid-delete leaves an incomplete checkpoint, never a
  // manifest whose state is gone.
  LAMINAR_RETURN_IF_ERROR(store_->Delete(prefix + std::string(kManifest)));
  LAMINAR_ASSIGN_OR_RETURN(std::vector<std::string> keys, store_->List(prefix));
  for (const std::string& key : keys) LAMINAR_RETURN_IF_ERROR(store_->Delete(key));
  return Status::Ok();
}

Result<CheckpointData> CheckpointStore::ReadManifest(uint64_t id) const {
  return ReadImpl(id, /*with_sections=*/false);
}

Result<CheckpointData> CheckpointStore::Read(uint64_t id) const {
  return ReadImpl(id, /*with_sections=*/true);
}

Result<CheckpointData> CheckpointStore::ReadImpl(uint64_t id, bool with_sections) const {
  const std::string prefix = PrefixOf(id);
  const std::string manifest_path = store_->Describe() + " " + prefix + std::string(kManifest);
  LAMINAR_ASSIGN_OR_RETURN(std::string text, store_->Get(prefix + std::string(kManifest)));
  auto corrupt = [&](std::string_view what) {
    return Status::Error(ErrorCode::kCorruption, "checkpoint {} ({}): {}", id, manifest_path, what);
  };
  Json manifest = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (manifest.is_discarded() || !manifest.is_object()) return corrupt("not valid JSON");
  try {
    if (!manifest.contains("checksum") ||
        manifest["checksum"].get<uint32_t>() != ManifestChecksum(manifest)) {
      return Status::Error(ErrorCode::kChecksumMismatch, "checkpoint {}: {} checksum mismatch", id,
                           manifest_path);
    }
    if (manifest.value("format", "") != "laminardb-checkpoint") return corrupt("not a manifest");
    const uint32_t version = manifest["version"].get<uint32_t>();
    if (version == 0 || version > kFormatVersion) {
      return Status::Error(ErrorCode::kUnsupportedFormatVersion,
                           "checkpoint {}: format version {} (this build reads 1 to {})", id,
                           version, kFormatVersion);
    }
    CheckpointData data;
    data.id = manifest["id"].get<uint64_t>();
    if (data.id != id) return corrupt(fmt::format("names id {}", data.id));
    data.created_micros = manifest["created_micros"].get<int64_t>();
    data.catalog = manifest["catalog"].get<std::vector<std::string>>();
    data.watermarks = manifest["watermarks"].get<std::map<std::string, int64_t>>();
    data.source_offsets = manifest["source_offsets"].get<std::map<std::string, uint64_t>>();
    data.sink_epochs = manifest["sink_epochs"].get<std::map<std::string, uint64_t>>();
    for (const auto& [name, wal] : manifest["wals"].items()) {
      data.wals[name] =
          CheckpointData::Wal{wal["mode"].get<std::string>(), wal["directory"].get<std::string>()};
    }
    if (!with_sections) return data;
    const std::string state_path = store_->Describe() + " " + prefix + std::string(kState);
    LAMINAR_ASSIGN_OR_RETURN(std::string state, store_->Get(prefix + std::string(kState)));
    for (const Json& entry : manifest["sections"]) {
      CheckpointSection section;
      section.kind = entry["kind"].get<std::string>();
      section.name = entry["name"].get<std::string>();
      const uint64_t offset = entry["offset"].get<uint64_t>();
      const uint64_t size = entry["size"].get<uint64_t>();
      if (offset > state.size() || size > state.size() - offset) {
        return Status::Error(ErrorCode::kTornWrite,
                             "checkpoint {}: {} is {} bytes, the {} \"{}\" needs bytes {} to {}",
                             id, state_path, state.size(), section.kind, section.name, offset,
                             offset + size);
      }
      section.bytes = state.substr(offset, size);
      if (Crc32c(section.bytes) != entry["crc32c"].get<uint32_t>()) {
        return Status::Error(ErrorCode::kChecksumMismatch,
                             "checkpoint {}: the state of {} \"{}\" in {} has a bad checksum", id,
                             section.kind, section.name, state_path);
      }
      data.sections.push_back(std::move(section));
    }
    return data;
  } catch (const Json::exception& error) {
    return corrupt(error.what());
  }
}

}  // namespace laminar::storage
