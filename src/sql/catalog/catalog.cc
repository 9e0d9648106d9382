#include "sql/catalog/catalog.h"

#include <fmt/format.h>

#include <algorithm>

namespace laminar::sql {

Result<const CatalogObject*> Catalog::Create(CatalogObject object, CreateMode mode) {
  for (const std::string& dependency : object.dependencies) {
    if (dependency == object.name) {
      return Status::Error(ErrorCode::kInvalidArgument, "{} \"{}\" cannot read itself",
                           ObjectKindKeyword(object.kind), object.name);
    }
    if (Find(dependency) == nullptr) {
      return Status::Error(ErrorCode::kUnknownObject,
                           "{} \"{}\" reads \"{}\", which does not exist",
                           ObjectKindKeyword(object.kind), object.name, dependency);
    }
  }
  auto existing = objects_.find(object.name);
  if (existing != objects_.end()) {
    const CatalogObject& current = *existing->second;
    switch (mode) {
      case CreateMode::kIfNotExists:
        return &current;
      case CreateMode::kCreate:
        return Status::Error(ErrorCode::kDuplicateObject, "{} \"{}\" already exists",
                             ObjectKindKeyword(current.kind), current.name);
      case CreateMode::kOrReplace: {
        if (current.kind != object.kind) {
          return Status::Error(ErrorCode::kWrongObjectKind, "cannot replace {} \"{}\" with a {}",
                               ObjectKindKeyword(current.kind), current.name,
                               ObjectKindKeyword(object.kind));
        }
        const std::vector<std::string> dependents = Dependents(object.name);
        if (!dependents.empty()) {
          return Status::Error(ErrorCode::kDependentObjects,
                               "cannot replace {} \"{}\": {} read{} it (drop {} first)",
                               ObjectKindKeyword(current.kind), current.name,
                               fmt::join(dependents, ", "), dependents.size() == 1 ? "s" : "",
                               dependents.size() == 1 ? "it" : "them");
        }
        break;
      }
    }
  }
  object.id = next_id_++;
  auto stored = std::make_unique<const CatalogObject>(std::move(object));
  const CatalogObject* result = stored.get();
  objects_[result->name] = std::move(stored);
  return result;
}

Status Catalog::Drop(ObjectKind kind, std::string_view name, bool if_exists, bool cascade,
                     std::vector<std::string>* dropped) {
  const CatalogObject* object = Find(name);
  if (object == nullptr) {
    if (if_exists) return Status::Ok();
    return Status::Error(ErrorCode::kUnknownObject, "{} \"{}\" does not exist",
                         ObjectKindKeyword(kind), name);
  }
  if (object->kind != kind) {
    return Status::Error(ErrorCode::kWrongObjectKind, "\"{}\" is a {}, not a {}", name,
                         ObjectKindKeyword(object->kind), ObjectKindKeyword(kind));
  }
  return DropOne(std::string(name), cascade, dropped);
}

Status Catalog::DropOne(const std::string& name, bool cascade, std::vector<std::string>* dropped) {
  const std::vector<std::string> dependents = Dependents(name);
  if (!dependents.empty()) {
    if (!cascade) {
      return Status::Error(ErrorCode::kDependentObjects,
                           "cannot drop \"{}\": {} read{} it (use DROP ... CASCADE)", name,
                           fmt::join(dependents, ", "), dependents.size() == 1 ? "s" : "");
    }
    for (const std::string& dependent : dependents) {
      // A dependent may already be gone if it was also a dependent of an earlier one.
      if (Find(dependent) != nullptr) LAMINAR_RETURN_IF_ERROR(DropOne(dependent, true, dropped));
    }
  }
  objects_.erase(name);
  if (dropped != nullptr) dropped->push_back(name);
  return Status::Ok();
}

const CatalogObject* Catalog::Find(std::string_view name) const {
  auto it = objects_.find(name);
  return it == objects_.end() ? nullptr : it->second.get();
}

Result<const CatalogObject*> Catalog::Get(std::string_view name) const {
  const CatalogObject* object = Find(name);
  if (object == nullptr) {
    return Status::Error(ErrorCode::kUnknownObject, "\"{}\" does not exist", name);
  }
  return object;
}

std::vector<const CatalogObject*> Catalog::List(ObjectKind kind) const {
  std::vector<const CatalogObject*> result;
  for (const auto& [name, object] : objects_) {
    if (object->kind == kind) result.push_back(object.get());
  }
  return result;  // std::map keeps names sorted.
}

std::vector<std::string> Catalog::Dependents(std::string_view name) const {
  std::vector<std::string> result;
  for (const auto& [object_name, object] : objects_) {
    if (std::find(object->dependencies.begin(), object->dependencies.end(), name) !=
        object->dependencies.end()) {
      result.push_back(object_name);
    }
  }
  return result;
}

}  // namespace laminar::sql
