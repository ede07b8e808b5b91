// alchemy/core.hpp — everything alchemy offers except a backend (the CMake
// component alchemy::core): mapping, SQL, engines and connections, sessions
// and queries. A program also includes a backend's header, <alchemy/sqlite.hpp>,
// or simply <alchemy/alchemy.hpp>, which includes both.
#pragma once

#include <alchemy/attribute.hpp>
#include <alchemy/backend_options.hpp>
#include <alchemy/compiler.hpp>
#include <alchemy/connection.hpp>
#include <alchemy/dialect.hpp>
#include <alchemy/dml.hpp>
#include <alchemy/engine.hpp>
#include <alchemy/engine_options.hpp>
#include <alchemy/errors.hpp>
#include <alchemy/expression.hpp>
#include <alchemy/inspection.hpp>
#include <alchemy/loading.hpp>
#include <alchemy/log.hpp>
#include <alchemy/mapping.hpp>
#include <alchemy/nested_transaction.hpp>
#include <alchemy/object_state.hpp>
#include <alchemy/parameters.hpp>
#include <alchemy/ptr.hpp>
#include <alchemy/query.hpp>
#include <alchemy/relationship.hpp>
#include <alchemy/relationship_criteria.hpp>
#include <alchemy/result.hpp>
#include <alchemy/schema.hpp>
#include <alchemy/session.hpp>
#include <alchemy/session_options.hpp>
#include <alchemy/table.hpp>
#include <alchemy/types.hpp>
#include <alchemy/url.hpp>
